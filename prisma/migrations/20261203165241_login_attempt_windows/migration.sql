-- CreateTable
CREATE TABLE "login_attempt_windows" (
    "key" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "login_attempt_windows_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "login_attempt_windows_started_at_idx" ON "login_attempt_windows"("started_at");
