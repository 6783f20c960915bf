-- DropIndex
DROP INDEX "chat_debug_runs_updated_at_idx";

-- CreateIndex
CREATE INDEX "chat_debug_runs_finished_at_idx" ON "chat_debug_runs"("finished_at");
