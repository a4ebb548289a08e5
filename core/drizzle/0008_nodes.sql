CREATE TABLE "fleet_run_nodes" (
	"run_id" uuid NOT NULL,
	"node_id" uuid,
	"node_name" text NOT NULL,
	"status" text NOT NULL,
	"exit_code" integer,
	"output" text DEFAULT '' NOT NULL,
	"truncated" boolean DEFAULT false NOT NULL,
	"error" text,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "fleet_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"command_id" uuid,
	"title" text NOT NULL,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"ad_hoc" boolean DEFAULT false NOT NULL,
	"status" text NOT NULL,
	"summary" jsonb NOT NULL,
	"started_by" uuid,
	"started_by_name" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "node_commands" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"template" text NOT NULL,
	"params" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"root" boolean DEFAULT false NOT NULL,
	"timeout_seconds" integer DEFAULT 300 NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "nodes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"host" text NOT NULL,
	"port" integer DEFAULT 22 NOT NULL,
	"username" text DEFAULT 'root' NOT NULL,
	"labels" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"jump_node_id" uuid,
	"notes" text DEFAULT '' NOT NULL,
	"key_id" uuid NOT NULL,
	"host_key_fingerprint" text,
	"offered_host_key" jsonb,
	"status" text DEFAULT 'pending' NOT NULL,
	"status_reason" text,
	"max_sessions" integer DEFAULT 8 NOT NULL,
	"facts" jsonb,
	"facts_at" timestamp with time zone,
	"last_seen_at" timestamp with time zone,
	"rtt_ms" real,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ssh_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"scope" text NOT NULL,
	"source" text NOT NULL,
	"public_key" text NOT NULL,
	"private_key_enc" text NOT NULL,
	"passphrase_enc" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "fleet_run_nodes" ADD CONSTRAINT "fleet_run_nodes_run_id_fleet_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."fleet_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fleet_run_nodes" ADD CONSTRAINT "fleet_run_nodes_node_id_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fleet_runs" ADD CONSTRAINT "fleet_runs_command_id_node_commands_id_fk" FOREIGN KEY ("command_id") REFERENCES "public"."node_commands"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fleet_runs" ADD CONSTRAINT "fleet_runs_started_by_users_id_fk" FOREIGN KEY ("started_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "node_commands" ADD CONSTRAINT "node_commands_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "nodes" ADD CONSTRAINT "nodes_jump_node_id_nodes_id_fk" FOREIGN KEY ("jump_node_id") REFERENCES "public"."nodes"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "nodes" ADD CONSTRAINT "nodes_key_id_ssh_keys_id_fk" FOREIGN KEY ("key_id") REFERENCES "public"."ssh_keys"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "nodes" ADD CONSTRAINT "nodes_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "fleet_run_nodes_pk" ON "fleet_run_nodes" USING btree ("run_id","node_name");--> statement-breakpoint
CREATE INDEX "fleet_runs_started_idx" ON "fleet_runs" USING btree ("started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "node_commands_name_lower_idx" ON "node_commands" USING btree (lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "nodes_name_lower_idx" ON "nodes" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "nodes_status_idx" ON "nodes" USING btree ("status");