/*
  Warnings:

  - A unique constraint covering the columns `[openedById,requestId]` on the table `Case` will be added. If there are existing duplicate values, this will fail.
  - A unique constraint covering the columns `[counsellorId,requestId]` on the table `Handover` will be added. If there are existing duplicate values, this will fail.
  - A unique constraint covering the columns `[caseId]` on the table `Handover` will be added. If there are existing duplicate values, this will fail.

*/
-- AlterTable
ALTER TABLE "Case" ADD COLUMN     "requestId" TEXT;

-- AlterTable
ALTER TABLE "Handover" ADD COLUMN     "requestId" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Case_openedById_requestId_key" ON "Case"("openedById", "requestId");

-- CreateIndex
CREATE UNIQUE INDEX "Handover_counsellorId_requestId_key" ON "Handover"("counsellorId", "requestId");

-- CreateIndex
CREATE UNIQUE INDEX "Handover_open_caseId_key" ON "Handover"("caseId") WHERE ("caseId" IS NOT NULL) AND (state <> ALL (ARRAY['handed_over'::text, 'refused'::text, 'lapsed'::text, 'cancelled'::text]));
