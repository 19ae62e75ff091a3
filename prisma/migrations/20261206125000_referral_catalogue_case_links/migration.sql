-- CreateTable
CREATE TABLE "ReferralCatalogueEntry" (
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "organisationId" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "requestId" TEXT,

    CONSTRAINT "ReferralCatalogueEntry_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "CaseLink" (
    "id" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "linkedCaseId" TEXT NOT NULL,
    "relation" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CaseLink_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ReferralCatalogueEntry_requestId_key" ON "ReferralCatalogueEntry"("requestId");

-- CreateIndex
CREATE INDEX "ReferralCatalogueEntry_kind_active_idx" ON "ReferralCatalogueEntry"("kind", "active");

-- CreateIndex
CREATE INDEX "CaseLink_linkedCaseId_idx" ON "CaseLink"("linkedCaseId");

-- CreateIndex
CREATE UNIQUE INDEX "CaseLink_caseId_linkedCaseId_key" ON "CaseLink"("caseId", "linkedCaseId");
