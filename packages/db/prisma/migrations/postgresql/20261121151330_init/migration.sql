-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Model" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "family" TEXT,
    "config" JSONB NOT NULL,
    "configHash" TEXT NOT NULL,
    "params" BIGINT,
    "multiplyAdds" BIGINT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Model_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Dataset" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "numClasses" INTEGER NOT NULL,
    "classesHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Dataset_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DatasetClass" (
    "datasetId" INTEGER NOT NULL,
    "classId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "DatasetClass_pkey" PRIMARY KEY ("datasetId","classId")
);

-- CreateTable
CREATE TABLE "Run" (
    "id" SERIAL NOT NULL,
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
    "pixelAccuracy" DOUBLE PRECISION,
    "meanAccuracy" DOUBLE PRECISION,
    "meanIoU" DOUBLE PRECISION,
    "frequencyWeightedIoU" DOUBLE PRECISION,
    "numPixels" BIGINT,
    "vpq" DOUBLE PRECISION,
    "vpqThings" DOUBLE PRECISION,
    "vpqStuff" DOUBLE PRECISION,
    "temporalConsistency" DOUBLE PRECISION,
    "fps" DOUBLE PRECISION,
    "extraMetrics" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ClassMetric" (
    "runId" INTEGER NOT NULL,
    "classId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "iou" DOUBLE PRECISION,
    "accuracy" DOUBLE PRECISION,
    "gtPixels" BIGINT NOT NULL,
    "predPixels" BIGINT NOT NULL,

    CONSTRAINT "ClassMetric_pkey" PRIMARY KEY ("runId","classId")
);

-- CreateTable
CREATE TABLE "LatencyStat" (
    "runId" INTEGER NOT NULL,
    "iterations" INTEGER NOT NULL,
    "warmup" INTEGER NOT NULL,
    "mean" DOUBLE PRECISION NOT NULL,
    "std" DOUBLE PRECISION NOT NULL,
    "min" DOUBLE PRECISION NOT NULL,
    "max" DOUBLE PRECISION NOT NULL,
    "p50" DOUBLE PRECISION NOT NULL,
    "p90" DOUBLE PRECISION NOT NULL,
    "p99" DOUBLE PRECISION NOT NULL,
    "fps" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "LatencyStat_pkey" PRIMARY KEY ("runId")
);

-- CreateTable
CREATE TABLE "StageStat" (
    "runId" INTEGER NOT NULL,
    "stage" INTEGER NOT NULL,
    "name" TEXT,
    "pixelFraction" DOUBLE PRECISION NOT NULL,
    "multiplyAdds" BIGINT,
    "latencyMs" DOUBLE PRECISION,

    CONSTRAINT "StageStat_pkey" PRIMARY KEY ("runId","stage")
);

-- CreateTable
CREATE TABLE "Artifact" (
    "id" SERIAL NOT NULL,
    "runId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "mime" TEXT,
    "bytes" INTEGER,

    CONSTRAINT "Artifact_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConfusionMatrix" (
    "runId" INTEGER NOT NULL,
    "numClasses" INTEGER NOT NULL,
    "encoding" TEXT NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "ConfusionMatrix_pkey" PRIMARY KEY ("runId")
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

-- AddForeignKey
ALTER TABLE "DatasetClass" ADD CONSTRAINT "DatasetClass_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Run" ADD CONSTRAINT "Run_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Run" ADD CONSTRAINT "Run_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ClassMetric" ADD CONSTRAINT "ClassMetric_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LatencyStat" ADD CONSTRAINT "LatencyStat_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StageStat" ADD CONSTRAINT "StageStat_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Artifact" ADD CONSTRAINT "Artifact_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConfusionMatrix" ADD CONSTRAINT "ConfusionMatrix_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
