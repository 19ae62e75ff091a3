-- CreateTable
CREATE TABLE "CaseContact" (
    "caseId" TEXT NOT NULL,
    "keyId" TEXT NOT NULL,
    "sealed" BYTEA NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedById" TEXT NOT NULL,

    CONSTRAINT "CaseContact_pkey" PRIMARY KEY ("caseId")
);
