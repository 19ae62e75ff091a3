-- CreateTable
CREATE TABLE "PersonMatchKey" (
    "caseId" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PersonMatchKey_pkey" PRIMARY KEY ("caseId","hash")
);

-- CreateTable
CREATE TABLE "PersonMatch" (
    "id" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "otherCaseId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "detectedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "confirmedById" TEXT NOT NULL,
    "decidedAt" TIMESTAMP(3),
    "decidedById" TEXT,

    CONSTRAINT "PersonMatch_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PersonMatchKey_hash_idx" ON "PersonMatchKey"("hash");

-- CreateIndex
CREATE INDEX "PersonMatch_status_detectedAt_idx" ON "PersonMatch"("status", "detectedAt");

-- CreateIndex
CREATE INDEX "PersonMatch_otherCaseId_idx" ON "PersonMatch"("otherCaseId");

-- CreateIndex
CREATE UNIQUE INDEX "PersonMatch_caseId_otherCaseId_key" ON "PersonMatch"("caseId", "otherCaseId");
