CREATE TABLE `invitation_refusals` (
	`address_key` text NOT NULL,
	`sender_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`address_key`, `sender_id`),
	FOREIGN KEY (`sender_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `message_requests` (
	`chat_id` text PRIMARY KEY NOT NULL,
	`sender_id` text NOT NULL,
	`recipient_id` text,
	`address` text NOT NULL,
	`address_key` text NOT NULL,
	`channel` text NOT NULL,
	`status` text NOT NULL,
	`suppressed` integer DEFAULT false NOT NULL,
	`token_hash` text,
	`sent_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer,
	`responded_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`chat_id`) REFERENCES `chats`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`sender_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`recipient_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `message_requests_token_idx` ON `message_requests` (`token_hash`);--> statement-breakpoint
CREATE INDEX `message_requests_sender_idx` ON `message_requests` (`sender_id`,`recipient_id`);--> statement-breakpoint
CREATE INDEX `message_requests_recipient_idx` ON `message_requests` (`recipient_id`,`sender_id`);--> statement-breakpoint
CREATE INDEX `message_requests_address_idx` ON `message_requests` (`address_key`);--> statement-breakpoint
CREATE TABLE `user_blocks` (
	`blocker_id` text NOT NULL,
	`blocked_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`blocker_id`, `blocked_id`),
	FOREIGN KEY (`blocker_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`blocked_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `organizations` ADD `outbound_external` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `organizations` ADD `inbound_external` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `organizations` ADD `request_cap` integer DEFAULT 10 NOT NULL;--> statement-breakpoint
ALTER TABLE `organizations` ADD `sms_countries` text;--> statement-breakpoint
ALTER TABLE `users` ADD `requests_allowed` integer DEFAULT true NOT NULL;