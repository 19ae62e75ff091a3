-- CreateTable
CREATE TABLE "CaseRecordRejection" (
    "id" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "fromSeq" INTEGER NOT NULL,
    "toSeq" INTEGER NOT NULL,
    "sqlState" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "firstAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "resolvedAt" TIMESTAMP(3),

    CONSTRAINT "CaseRecordRejection_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CaseRecordRejection_resolvedAt_idx" ON "CaseRecordRejection"("resolvedAt");

-- CreateIndex
CREATE UNIQUE INDEX "CaseRecordRejection_caseId_fromSeq_key" ON "CaseRecordRejection"("caseId", "fromSeq");
