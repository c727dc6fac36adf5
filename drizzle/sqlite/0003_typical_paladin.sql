CREATE TABLE `audit_events` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`type` text NOT NULL,
	`actor_id` text,
	`actor_name` text,
	`target_user_id` text,
	`target` text,
	`details` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`target_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `audit_events_org_time_idx` ON `audit_events` (`organization_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `audit_events_org_type_idx` ON `audit_events` (`organization_id`,`type`,`created_at`);--> statement-breakpoint
CREATE TABLE `blocked_addresses` (
	`organization_id` text NOT NULL,
	`address_key` text NOT NULL,
	`address` text NOT NULL,
	`user_id` text,
	`created_by` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`organization_id`, `address_key`),
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `blocked_addresses_user_idx` ON `blocked_addresses` (`user_id`);--> statement-breakpoint
CREATE TABLE `blocked_domains` (
	`organization_id` text NOT NULL,
	`domain` text NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`organization_id`, `domain`),
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
ALTER TABLE `organizations` ADD `invitation_limits` text;--> statement-breakpoint
ALTER TABLE `users` ADD `outbound_override` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `inbound_override` integer;