CREATE TABLE `request_pairs` (
	`sender_id` text NOT NULL,
	`person` text NOT NULL,
	`sent` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`sender_id`, `person`),
	FOREIGN KEY (`sender_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
