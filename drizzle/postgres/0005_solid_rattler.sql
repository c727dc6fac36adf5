CREATE TABLE "request_pairs" (
	"sender_id" text NOT NULL,
	"person" text NOT NULL,
	"sent" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "request_pairs_sender_id_person_pk" PRIMARY KEY("sender_id","person")
);
--> statement-breakpoint
ALTER TABLE "request_pairs" ADD CONSTRAINT "request_pairs_sender_id_users_id_fk" FOREIGN KEY ("sender_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;