/** UUIDs as Dify's `<uuid:…>` converters and pydantic accept them: the canonical 8-4-4-4-12 hex form. */
export const UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

const UUID = new RegExp(`^${UUID_PATTERN}$`);

export const isUuid = (value: string): boolean => UUID.test(value);
