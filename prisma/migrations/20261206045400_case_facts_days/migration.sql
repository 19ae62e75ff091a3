-- AlterTable
ALTER TABLE "CaseFacts" ADD COLUMN     "days" JSONB NOT NULL DEFAULT '{}';
