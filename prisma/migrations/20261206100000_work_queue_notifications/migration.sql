-- AlterTable
ALTER TABLE "User" ADD COLUMN     "calendarTokenCreatedAt" TIMESTAMP(3),
ADD COLUMN     "calendarTokenHash" TEXT,
ADD COLUMN     "notificationMode" TEXT NOT NULL DEFAULT 'immediate';

-- CreateIndex
CREATE UNIQUE INDEX "User_calendarTokenHash_key" ON "User"("calendarTokenHash");

-- "Meine Aufgaben" (api/operations/tasks.ts): the latest closure event of a case without reading its other events.
-- Partial, so not modelled in schema.prisma (see the note at Handover); the schema engine leaves it alone.
CREATE INDEX "CaseEvent_closure_idx" ON "CaseEvent" ("caseId", "seq") WHERE "type" IN ('closure_requested', 'closure_returned', 'closure_withdrawn', 'closure_approved');
