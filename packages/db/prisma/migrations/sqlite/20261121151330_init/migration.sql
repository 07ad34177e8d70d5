-- CreateTable
CREATE TABLE "Model" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "family" TEXT,
    "config" JSONB NOT NULL,
    "configHash" TEXT NOT NULL,
    "params" BIGINT,
    "multiplyAdds" BIGINT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Dataset" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "numClasses" INTEGER NOT NULL,
    "classesHash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "DatasetClass" (
    "datasetId" INTEGER NOT NULL,
    "classId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,

    PRIMARY KEY ("datasetId", "classId"),
    CONSTRAINT "DatasetClass_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Run" (
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
    CONSTRAINT "Run_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ClassMetric" (
    "runId" INTEGER NOT NULL,
    "classId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "iou" REAL,
    "accuracy" REAL,
    "gtPixels" BIGINT NOT NULL,
    "predPixels" BIGINT NOT NULL,

    PRIMARY KEY ("runId", "classId"),
    CONSTRAINT "ClassMetric_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LatencyStat" (
    "runId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "iterations" INTEGER NOT NULL,
    "warmup" INTEGER NOT NULL,
    "mean" REAL NOT NULL,
    "std" REAL NOT NULL,
    "min" REAL NOT NULL,
    "max" REAL NOT NULL,
    "p50" REAL NOT NULL,
    "p90" REAL NOT NULL,
    "p99" REAL NOT NULL,
    "fps" REAL NOT NULL,
    CONSTRAINT "LatencyStat_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "StageStat" (
    "runId" INTEGER NOT NULL,
    "stage" INTEGER NOT NULL,
    "name" TEXT,
    "pixelFraction" REAL NOT NULL,
    "multiplyAdds" BIGINT,
    "latencyMs" REAL,

    PRIMARY KEY ("runId", "stage"),
    CONSTRAINT "StageStat_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Artifact" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "runId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "mime" TEXT,
    "bytes" INTEGER,
    CONSTRAINT "Artifact_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ConfusionMatrix" (
    "runId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "numClasses" INTEGER NOT NULL,
    "encoding" TEXT NOT NULL,
    "data" BLOB NOT NULL,
    CONSTRAINT "ConfusionMatrix_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Model_name_configHash_key" ON "Model"("name", "configHash");

-- CreateIndex
CREATE UNIQUE INDEX "Dataset_name_classesHash_key" ON "Dataset"("name", "classesHash");

-- CreateIndex
CREATE INDEX "Run_modelId_idx" ON "Run"("modelId");

-- CreateIndex
CREATE INDEX "Run_datasetId_idx" ON "Run"("datasetId");

-- CreateIndex
CREATE INDEX "Run_gitCommit_idx" ON "Run"("gitCommit");

-- CreateIndex
CREATE INDEX "Run_createdAt_idx" ON "Run"("createdAt");

-- CreateIndex
CREATE INDEX "Artifact_runId_idx" ON "Artifact"("runId");
