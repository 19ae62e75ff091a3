-- DropIndex
DROP INDEX "CaseDeadline_status_dueAt_idx";

-- CreateTable
CREATE TABLE "CaseFacts" (
    "caseId" TEXT NOT NULL,
    "lastSeq" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "openedAt" TIMESTAMP(3),
    "facts" JSON NOT NULL,

    CONSTRAINT "CaseFacts_pkey" PRIMARY KEY ("caseId")
);

-- CreateIndex
CREATE INDEX "CaseDeadline_status_dueAt_caseId_idx" ON "CaseDeadline"("status", "dueAt", "caseId");
