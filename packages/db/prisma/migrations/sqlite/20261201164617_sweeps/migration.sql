-- CreateTable
CREATE TABLE "Sweep" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "spec" JSONB NOT NULL,
    "gitCommit" TEXT,
    "gitDirty" BOOLEAN,
    "mode" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "SweepJob" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
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
    "heartbeatAt" DATETIME,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SweepJob_sweepId_fkey" FOREIGN KEY ("sweepId") REFERENCES "Sweep" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Run" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "kind" TEXT NOT NULL,
    "modelId" INTEGER,
    "datasetId" INTEGER,
    "backend" TEXT,
    "device" TEXT,
    "inputWidth" INTEGER,
    "inputHeight" INTEGER,
    "batch" INTEGER,
    "warmup" INTEGER,
    "iterations" INTEGER,
    "gitCommit" TEXT,
    "gitBranch" TEXT,
    "gitDirty" BOOLEAN,
    "command" TEXT,
    "host" TEXT,
    "sweepJobId" INTEGER,
    "tags" JSONB,
    "pixelAccuracy" REAL,
    "meanAccuracy" REAL,
    "meanIoU" REAL,
    "frequencyWeightedIoU" REAL,
    "numPixels" BIGINT,
    "vpq" REAL,
    "vpqThings" REAL,
    "vpqStuff" REAL,
    "temporalConsistency" REAL,
    "fps" REAL,
    "extraMetrics" JSONB,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Run_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Run_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Run_sweepJobId_fkey" FOREIGN KEY ("sweepJobId") REFERENCES "SweepJob" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Run" ("backend", "batch", "command", "createdAt", "datasetId", "device", "extraMetrics", "fps", "frequencyWeightedIoU", "gitBranch", "gitCommit", "gitDirty", "id", "inputHeight", "inputWidth", "iterations", "kind", "meanAccuracy", "meanIoU", "modelId", "numPixels", "pixelAccuracy", "tags", "temporalConsistency", "vpq", "vpqStuff", "vpqThings", "warmup") SELECT "backend", "batch", "command", "createdAt", "datasetId", "device", "extraMetrics", "fps", "frequencyWeightedIoU", "gitBranch", "gitCommit", "gitDirty", "id", "inputHeight", "inputWidth", "iterations", "kind", "meanAccuracy", "meanIoU", "modelId", "numPixels", "pixelAccuracy", "tags", "temporalConsistency", "vpq", "vpqStuff", "vpqThings", "warmup" FROM "Run";
DROP TABLE "Run";
ALTER TABLE "new_Run" RENAME TO "Run";
CREATE UNIQUE INDEX "Run_sweepJobId_key" ON "Run"("sweepJobId");
CREATE INDEX "Run_modelId_idx" ON "Run"("modelId");
CREATE INDEX "Run_datasetId_idx" ON "Run"("datasetId");
CREATE INDEX "Run_gitCommit_idx" ON "Run"("gitCommit");
CREATE INDEX "Run_createdAt_idx" ON "Run"("createdAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "SweepJob_key_key" ON "SweepJob"("key");

-- CreateIndex
CREATE INDEX "SweepJob_state_idx" ON "SweepJob"("state");

-- CreateIndex
CREATE UNIQUE INDEX "SweepJob_sweepId_index_key" ON "SweepJob"("sweepId", "index");
