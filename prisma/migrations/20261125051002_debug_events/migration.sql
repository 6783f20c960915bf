-- AlterTable
ALTER TABLE "chats" ADD COLUMN     "debug_event_seq" BIGINT NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "chat_debug_events" (
    "chat_id" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "kind" TEXT NOT NULL,
    "run_id" UUID,
    "step_id" UUID,
    "data" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "chat_debug_events_pkey" PRIMARY KEY ("chat_id","seq")
);

-- CreateIndex
CREATE INDEX "chat_debug_events_created_at_idx" ON "chat_debug_events"("created_at");

-- AddForeignKey
ALTER TABLE "chat_debug_events" ADD CONSTRAINT "chat_debug_events_chat_id_fkey" FOREIGN KEY ("chat_id") REFERENCES "chats"("id") ON DELETE CASCADE ON UPDATE CASCADE;
