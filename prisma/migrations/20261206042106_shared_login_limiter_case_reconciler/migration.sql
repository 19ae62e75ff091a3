-- AlterTable
ALTER TABLE "Case" ADD COLUMN     "openedById" TEXT,
ADD COLUMN     "workflowConfirmedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "LoginFailure" (
    "key" TEXT NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" TIMESTAMP(3),

    CONSTRAINT "LoginFailure_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "LoginFailure_expire_idx" ON "LoginFailure"("expire");
