-- The large step JSON is only ever stored and read whole: as json (validated text) a write skips
-- building jsonb's binary form and a read skips printing it back to text.
-- AlterTable
ALTER TABLE "chat_debug_steps" ALTER COLUMN "normalized_request" SET DATA TYPE JSON,
ALTER COLUMN "normalized_response" SET DATA TYPE JSON,
ALTER COLUMN "attempts" SET DATA TYPE JSON;
