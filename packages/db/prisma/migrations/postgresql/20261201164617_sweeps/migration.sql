-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "host" TEXT,
ADD COLUMN     "sweepJobId" INTEGER;

-- CreateTable
CREATE TABLE "Sweep" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "spec" JSONB NOT NULL,
    "gitCommit" TEXT,
    "gitDirty" BOOLEAN,
    "mode" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Sweep_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SweepJob" (
    "id" SERIAL NOT NULL,
    "sweepId" INTEGER NOT NULL,
    "index" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "argv" JSONB NOT NULL,
    "device" TEXT NOT NULL,
    "tags" JSONB NOT NULL,
    "state" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL,
    "timeoutSeconds" INTEGER NOT NULL,
    "leaseSeconds" INTEGER NOT NULL,
    "queueName" TEXT,
    "queueJobId" TEXT,
    "workerHost" TEXT,
    "workerDevice" TEXT,
    "workerCommit" TEXT,
    "error" TEXT,
    "exitCode" INTEGER,
    "progress" TEXT,
    "heartbeatAt" TIMESTAMP(3),
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SweepJob_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Run_sweepJobId_key" ON "Run"("sweepJobId");

-- CreateIndex
CREATE UNIQUE INDEX "SweepJob_key_key" ON "SweepJob"("key");

-- CreateIndex
CREATE INDEX "SweepJob_state_idx" ON "SweepJob"("state");

-- CreateIndex
CREATE UNIQUE INDEX "SweepJob_sweepId_index_key" ON "SweepJob"("sweepId", "index");

-- AddForeignKey
ALTER TABLE "Run" ADD CONSTRAINT "Run_sweepJobId_fkey" FOREIGN KEY ("sweepJobId") REFERENCES "SweepJob"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SweepJob" ADD CONSTRAINT "SweepJob_sweepId_fkey" FOREIGN KEY ("sweepId") REFERENCES "Sweep"("id") ON DELETE CASCADE ON UPDATE CASCADE;
