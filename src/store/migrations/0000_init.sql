CREATE TABLE `annotations` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`question` text NOT NULL,
	`content` text NOT NULL,
	`hit_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `annotations_app_created_idx` ON `annotations` (`app_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`token` text NOT NULL,
	`last_used_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_token_idx` ON `api_keys` (`token`);--> statement-breakpoint
CREATE INDEX `api_keys_app_idx` ON `api_keys` (`app_id`);--> statement-breakpoint
CREATE TABLE `apps` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`mode` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`icon` text,
	`icon_type` text,
	`icon_background` text,
	`use_icon_as_answer_icon` integer DEFAULT false NOT NULL,
	`status` text DEFAULT 'normal' NOT NULL,
	`enable_api` integer DEFAULT true NOT NULL,
	`max_active_requests` integer,
	`tags` text DEFAULT '[]' NOT NULL,
	`author_name` text,
	`model_config` text,
	`workflow_id` text,
	`dsl_version` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `conversation_variables` (
	`id` text NOT NULL,
	`conversation_id` text NOT NULL,
	`app_id` text NOT NULL,
	`name` text NOT NULL,
	`value_type` text NOT NULL,
	`value` text,
	`description` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`id`, `conversation_id`)
);
--> statement-breakpoint
CREATE INDEX `conversation_variables_conversation_idx` ON `conversation_variables` (`conversation_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `conversations` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`end_user_id` text NOT NULL,
	`mode` text NOT NULL,
	`name` text NOT NULL,
	`inputs` text NOT NULL,
	`introduction` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'normal' NOT NULL,
	`from_source` text DEFAULT 'api' NOT NULL,
	`invoke_from` text DEFAULT 'service-api' NOT NULL,
	`dialogue_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `conversations_owner_updated_idx` ON `conversations` (`app_id`,`end_user_id`,`updated_at`);--> statement-breakpoint
CREATE INDEX `conversations_owner_created_idx` ON `conversations` (`app_id`,`end_user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `end_users` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`type` text DEFAULT 'service-api' NOT NULL,
	`session_id` text NOT NULL,
	`is_anonymous` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `end_users_app_session_idx` ON `end_users` (`app_id`,`session_id`);--> statement-breakpoint
CREATE TABLE `message_agent_thoughts` (
	`id` text PRIMARY KEY NOT NULL,
	`message_id` text NOT NULL,
	`position` integer NOT NULL,
	`thought` text,
	`tool` text,
	`tool_labels` text,
	`tool_input` text,
	`observation` text,
	`files` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `message_agent_thoughts_message_idx` ON `message_agent_thoughts` (`message_id`,`position`);--> statement-breakpoint
CREATE TABLE `message_feedbacks` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`conversation_id` text NOT NULL,
	`message_id` text NOT NULL,
	`rating` text NOT NULL,
	`content` text,
	`from_source` text DEFAULT 'user' NOT NULL,
	`from_end_user_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `message_feedbacks_message_user_idx` ON `message_feedbacks` (`message_id`,`from_end_user_id`);--> statement-breakpoint
CREATE INDEX `message_feedbacks_app_created_idx` ON `message_feedbacks` (`app_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `message_files` (
	`id` text PRIMARY KEY NOT NULL,
	`message_id` text NOT NULL,
	`app_id` text NOT NULL,
	`type` text NOT NULL,
	`transfer_method` text NOT NULL,
	`url` text,
	`belongs_to` text DEFAULT 'user' NOT NULL,
	`upload_file_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `message_files_message_idx` ON `message_files` (`message_id`);--> statement-breakpoint
CREATE INDEX `message_files_upload_idx` ON `message_files` (`upload_file_id`);--> statement-breakpoint
CREATE TABLE `messages` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`conversation_id` text NOT NULL,
	`end_user_id` text NOT NULL,
	`query` text NOT NULL,
	`inputs` text NOT NULL,
	`answer` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'normal' NOT NULL,
	`error` text,
	`model_provider` text,
	`model_id` text,
	`message_tokens` integer DEFAULT 0 NOT NULL,
	`answer_tokens` integer DEFAULT 0 NOT NULL,
	`total_price` text DEFAULT '0' NOT NULL,
	`currency` text DEFAULT 'USD' NOT NULL,
	`latency` real DEFAULT 0 NOT NULL,
	`metadata` text NOT NULL,
	`workflow_run_id` text,
	`trace_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `messages_conversation_created_idx` ON `messages` (`conversation_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `upload_files` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`name` text NOT NULL,
	`size` integer NOT NULL,
	`extension` text NOT NULL,
	`mime_type` text NOT NULL,
	`storage_key` text NOT NULL,
	`hash` text NOT NULL,
	`created_by_end_user_id` text,
	`used` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `upload_files_app_idx` ON `upload_files` (`app_id`);--> statement-breakpoint
CREATE TABLE `workflow_app_logs` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`workflow_id` text NOT NULL,
	`workflow_run_id` text NOT NULL,
	`created_from` text DEFAULT 'service-api' NOT NULL,
	`created_by_role` text DEFAULT 'end_user' NOT NULL,
	`created_by_end_user_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `workflow_app_logs_app_created_idx` ON `workflow_app_logs` (`app_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `workflow_node_executions` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`workflow_id` text NOT NULL,
	`workflow_run_id` text NOT NULL,
	`index` integer NOT NULL,
	`predecessor_node_id` text,
	`node_id` text NOT NULL,
	`node_type` text NOT NULL,
	`title` text NOT NULL,
	`inputs` text,
	`process_data` text,
	`outputs` text,
	`status` text NOT NULL,
	`error` text,
	`elapsed_time` real DEFAULT 0 NOT NULL,
	`execution_metadata` text,
	`created_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `workflow_node_executions_run_idx` ON `workflow_node_executions` (`workflow_run_id`,`index`);--> statement-breakpoint
CREATE TABLE `workflow_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`workflow_id` text NOT NULL,
	`type` text NOT NULL,
	`triggered_from` text DEFAULT 'app-run' NOT NULL,
	`version` text NOT NULL,
	`inputs` text NOT NULL,
	`status` text NOT NULL,
	`outputs` text,
	`error` text,
	`elapsed_time` real DEFAULT 0 NOT NULL,
	`total_tokens` integer DEFAULT 0 NOT NULL,
	`total_steps` integer DEFAULT 0 NOT NULL,
	`exceptions_count` integer DEFAULT 0 NOT NULL,
	`created_by_role` text DEFAULT 'end_user' NOT NULL,
	`created_by` text NOT NULL,
	`trace_id` text,
	`created_at` integer NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `workflow_runs_app_created_idx` ON `workflow_runs` (`app_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `workflows` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`type` text NOT NULL,
	`version` text NOT NULL,
	`graph` text NOT NULL,
	`features` text NOT NULL,
	`environment_variables` text NOT NULL,
	`conversation_variables` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `workflows_app_idx` ON `workflows` (`app_id`);