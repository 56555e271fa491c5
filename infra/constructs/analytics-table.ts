// Glue database and table over the analytics prefix of the output bucket, so Athena can query
// every case's rows (the `voxelflow reports` labels table; one JSON-lines object per case).
// dataset and pipeline_version are partition keys taken from the Hive-style key
// (analytics/dataset=<d>/pipeline_version=<v>/<case>.jsonl), so they are not data columns.
// New partitions become visible with `MSCK REPAIR TABLE <table>` (or ALTER TABLE ADD PARTITION);
// partition projection would need the datasets known in advance.
import * as glue from 'aws-cdk-lib/aws-glue'
import type * as s3 from 'aws-cdk-lib/aws-s3'
import { Stack } from 'aws-cdk-lib'
import { Construct } from 'constructs'
import { DATASET_COLUMN_TYPES } from '../../src/report/dataset-column-types.js'
import { DATASET_TABLE_COLUMNS } from '../../src/report/dataset-table.js'
import { analyticsPrefix } from '../../src/pipeline/work-keys.js'

export const analyticsPartitionKeys = ['dataset', 'pipeline_version'] as const

export interface AnalyticsTableProps {
  readonly bucket: s3.IBucket
  /** Glue database name (lower case, letters, digits, underscores). Default "voxelflow". */
  readonly databaseName?: string
  /** Default "case_labels". */
  readonly tableName?: string
}

export class AnalyticsTable extends Construct {
  readonly databaseName: string
  readonly tableName: string
  readonly table: glue.CfnTable

  constructor(scope: Construct, id: string, props: AnalyticsTableProps) {
    super(scope, id)
    this.databaseName = props.databaseName ?? 'voxelflow'
    this.tableName = props.tableName ?? 'case_labels'
    const catalogId = Stack.of(this).account
    const database = new glue.CfnDatabase(this, 'Database', {
      catalogId,
      databaseInput: { name: this.databaseName, description: 'voxelflow reports as tables' },
    })
    const partitionKeys: readonly string[] = analyticsPartitionKeys
    this.table = new glue.CfnTable(this, 'Table', {
      catalogId,
      databaseName: this.databaseName,
      tableInput: {
        name: this.tableName,
        description: 'one row per case x label (one per case without labels), from report.json; see voxelflow reports',
        tableType: 'EXTERNAL_TABLE',
        parameters: { classification: 'json', EXTERNAL: 'TRUE' },
        partitionKeys: analyticsPartitionKeys.map((name) => ({ name, type: 'string' })),
        storageDescriptor: {
          location: `s3://${props.bucket.bucketName}/${analyticsPrefix}`,
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: {
            serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            parameters: { 'ignore.malformed.json': 'FALSE', 'dots.in.keys': 'FALSE', 'case.insensitive': 'TRUE' },
          },
          columns: DATASET_TABLE_COLUMNS.filter((name) => !partitionKeys.includes(name)).map((name) => ({ name, type: DATASET_COLUMN_TYPES[name] })),
        },
      },
    })
    this.table.addDependency(database)
  }
}
