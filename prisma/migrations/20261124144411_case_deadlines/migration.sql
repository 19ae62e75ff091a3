-- CreateTable
CREATE TABLE "CaseDeadline" (
    "id" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "escalateAt" TIMESTAMP(3),
    "status" TEXT NOT NULL,
    "refId" TEXT,
    "updatedSeq" INTEGER NOT NULL,

    CONSTRAINT "CaseDeadline_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CaseDeadline_status_dueAt_idx" ON "CaseDeadline"("status", "dueAt");

-- CreateIndex
CREATE INDEX "CaseDeadline_caseId_idx" ON "CaseDeadline"("caseId");
