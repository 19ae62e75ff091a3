-- CreateIndex
CREATE INDEX "Case_organisationId_id_idx" ON "Case"("organisationId", "id");
