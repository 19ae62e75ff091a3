-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN     "expiresAt" TIMESTAMP(3),
ADD COLUMN     "scope" TEXT NOT NULL DEFAULT 'full';

-- Tokens made before expiry existed get the default lifetime from their creation (90 days); already older ones
-- expire now — their owners make new ones (shown once, in a signed-in browser session).
UPDATE "ApiToken" SET "expiresAt" = "createdAt" + INTERVAL '90 days' WHERE "expiresAt" IS NULL;
