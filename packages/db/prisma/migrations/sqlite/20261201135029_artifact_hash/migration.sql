-- AlterTable
ALTER TABLE "Artifact" ADD COLUMN "sha256" TEXT;
ALTER TABLE "Artifact" ADD COLUMN "source" TEXT;
