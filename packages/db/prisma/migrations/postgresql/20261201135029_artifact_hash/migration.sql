-- AlterTable
ALTER TABLE "Artifact" ADD COLUMN     "sha256" TEXT,
ADD COLUMN     "source" TEXT;
