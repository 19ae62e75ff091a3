-- CreateTable
CREATE TABLE "CaseSnapshot" (
    "caseId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "data" JSONB NOT NULL,

    CONSTRAINT "CaseSnapshot_pkey" PRIMARY KEY ("caseId","seq")
);

-- CreateIndex
CREATE INDEX "CaseSnapshot_caseId_at_idx" ON "CaseSnapshot"("caseId", "at");
