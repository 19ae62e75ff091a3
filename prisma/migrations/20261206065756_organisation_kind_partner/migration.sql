-- AlterEnum
ALTER TYPE "OrganisationKind" ADD VALUE 'partner';
