-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "role" TEXT NOT NULL DEFAULT 'member',
    "password_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "secret_hash" BYTEA NOT NULL,
    "kind" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "chats" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "title" TEXT NOT NULL DEFAULT '',
    "parent_chat_id" UUID,
    "root_chat_id" UUID NOT NULL,
    "archived" BOOLEAN NOT NULL DEFAULT false,
    "model_config_id" UUID,
    "workspace_template_modules" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "chats_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "chat_acl" (
    "chat_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "role" TEXT NOT NULL,

    CONSTRAINT "chat_acl_pkey" PRIMARY KEY ("chat_id","user_id")
);

-- CreateTable
CREATE TABLE "model_configs" (
    "id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "display_name" TEXT NOT NULL DEFAULT '',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "is_default" BOOLEAN NOT NULL DEFAULT false,
    "context_limit" BIGINT NOT NULL,
    "compression_threshold" INTEGER NOT NULL DEFAULT 70,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "model_configs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "site_settings" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "site_settings_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "user_settings" (
    "user_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_settings_pkey" PRIMARY KEY ("user_id","key")
);

-- CreateTable
CREATE TABLE "provider_keys" (
    "provider" TEXT NOT NULL,
    "encrypted_key" BYTEA NOT NULL,
    "hint" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "provider_keys_pkey" PRIMARY KEY ("provider")
);

-- CreateTable
CREATE TABLE "advisor_run_budgets" (
    "chat_id" UUID NOT NULL,
    "run_key" TEXT NOT NULL,
    "used" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "advisor_run_budgets_pkey" PRIMARY KEY ("chat_id","run_key")
);

-- CreateTable
CREATE TABLE "advisor_uses" (
    "id" UUID NOT NULL,
    "chat_id" UUID NOT NULL,
    "run_key" TEXT NOT NULL,
    "refunded_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "advisor_uses_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "chat_debug_runs" (
    "id" UUID NOT NULL,
    "chat_id" UUID NOT NULL,
    "root_chat_id" UUID,
    "parent_chat_id" UUID,
    "model_config_id" UUID,
    "trigger_message_id" BIGINT,
    "history_tip_message_id" BIGINT,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "provider" TEXT,
    "model" TEXT,
    "summary" JSONB,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "chat_debug_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "chat_debug_steps" (
    "id" UUID NOT NULL,
    "run_id" UUID NOT NULL,
    "chat_id" UUID NOT NULL,
    "step_number" INTEGER NOT NULL,
    "operation" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "history_tip_message_id" BIGINT,
    "assistant_message_id" BIGINT,
    "normalized_request" JSONB,
    "normalized_response" JSONB,
    "usage" JSONB,
    "attempts" JSONB,
    "error" JSONB,
    "metadata" JSONB,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "chat_debug_steps_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "users_username_key" ON "users"("username");

-- CreateIndex
CREATE INDEX "api_keys_user_id_idx" ON "api_keys"("user_id");

-- CreateIndex
CREATE INDEX "chats_owner_id_idx" ON "chats"("owner_id");

-- CreateIndex
CREATE INDEX "chats_root_chat_id_idx" ON "chats"("root_chat_id");

-- CreateIndex
CREATE INDEX "chats_parent_chat_id_idx" ON "chats"("parent_chat_id");

-- CreateIndex
CREATE INDEX "chats_archived_updated_at_idx" ON "chats"("archived", "updated_at");

-- CreateIndex
CREATE INDEX "chat_acl_user_id_idx" ON "chat_acl"("user_id");

-- CreateIndex
CREATE INDEX "advisor_uses_chat_id_run_key_idx" ON "advisor_uses"("chat_id", "run_key");

-- CreateIndex
CREATE INDEX "chat_debug_runs_chat_id_started_at_id_idx" ON "chat_debug_runs"("chat_id", "started_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "chat_debug_runs_updated_at_idx" ON "chat_debug_runs"("updated_at");

-- CreateIndex
CREATE INDEX "chat_debug_steps_chat_id_idx" ON "chat_debug_steps"("chat_id");

-- CreateIndex
CREATE UNIQUE INDEX "chat_debug_steps_run_id_step_number_key" ON "chat_debug_steps"("run_id", "step_number");

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "chats" ADD CONSTRAINT "chats_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "chats" ADD CONSTRAINT "chats_parent_chat_id_fkey" FOREIGN KEY ("parent_chat_id") REFERENCES "chats"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "chat_acl" ADD CONSTRAINT "chat_acl_chat_id_fkey" FOREIGN KEY ("chat_id") REFERENCES "chats"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "chat_acl" ADD CONSTRAINT "chat_acl_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_settings" ADD CONSTRAINT "user_settings_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "advisor_run_budgets" ADD CONSTRAINT "advisor_run_budgets_chat_id_fkey" FOREIGN KEY ("chat_id") REFERENCES "chats"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "advisor_uses" ADD CONSTRAINT "advisor_uses_chat_id_run_key_fkey" FOREIGN KEY ("chat_id", "run_key") REFERENCES "advisor_run_budgets"("chat_id", "run_key") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "chat_debug_runs" ADD CONSTRAINT "chat_debug_runs_chat_id_fkey" FOREIGN KEY ("chat_id") REFERENCES "chats"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "chat_debug_steps" ADD CONSTRAINT "chat_debug_steps_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "chat_debug_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
