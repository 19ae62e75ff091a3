-- CreateEnum
CREATE TYPE "CountyPost" AS ENUM ('kim_team', 'integration_point', 'bne', 'abh_cm');

-- AlterTable
ALTER TABLE "Organisation" ADD COLUMN     "countyPost" "CountyPost";

-- The seeded county posts get their focus (installations seeded before); new posts are inserted by seeding.
UPDATE "Organisation" SET "countyPost" = 'kim_team' WHERE "id" = 'kreis-kim' AND "countyPost" IS NULL;
UPDATE "Organisation" SET "countyPost" = 'abh_cm' WHERE "id" = 'abh' AND "countyPost" IS NULL;
