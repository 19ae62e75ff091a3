-- CreateTable
CREATE TABLE "AccessLog" (
    "id" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "userId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "organisationId" TEXT NOT NULL,
    "caseId" TEXT,
    "handoverId" TEXT,
    "action" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "purpose" TEXT,

    CONSTRAINT "AccessLog_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AccessLog_caseId_at_idx" ON "AccessLog"("caseId", "at");

-- CreateIndex
CREATE INDEX "AccessLog_handoverId_at_idx" ON "AccessLog"("handoverId", "at");

-- CreateIndex
CREATE INDEX "AccessLog_userId_at_idx" ON "AccessLog"("userId", "at");
