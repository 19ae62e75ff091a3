-- AlterTable
ALTER TABLE "Case" ADD COLUMN     "erasedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Consent" ADD COLUMN     "dataCategories" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "DataKey" (
    "id" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "wrappedKey" BYTEA,
    "wrappingKeyId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retiredAt" TIMESTAMP(3),
    "destroyedAt" TIMESTAMP(3),
    "destroyedReason" TEXT,

    CONSTRAINT "DataKey_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "DataKey_subject_key" ON "DataKey"("subject");

-- CreateIndex
CREATE INDEX "DataKey_wrappingKeyId_idx" ON "DataKey"("wrappingKeyId");
