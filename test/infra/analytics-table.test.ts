// The Glue database and table over the analytics prefix: JSON SerDe, Hive partition keys that
// match the keys the report stage writes, columns that match the `voxelflow reports` table, and an
// output bucket that notifies nobody (analytics writes must not start the pipeline again).
import { Stack, type CfnElement } from 'aws-cdk-lib'
import { Match, type Template } from 'aws-cdk-lib/assertions'
import { beforeAll, describe, expect, it } from 'vitest'
import type { VoxelflowStack } from '../../infra/voxelflow-stack.js'
import { analyticsKeys } from '../../src/pipeline/work-keys.js'
import { DATASET_TABLE_COLUMNS } from '../../src/report/dataset-table.js'
import { synthStack } from './synth.js'

let stack: VoxelflowStack
let template: Template
beforeAll(() => {
  ;({ stack, template } = synthStack())
})

type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[] }
const resources = () => template.toJSON().Resources as Record<string, Resource>
const idOf = (c: { node: { defaultChild?: unknown } }) => Stack.of(stack).getLogicalId(c.node.defaultChild as CfnElement)

describe('analytics table', () => {
  it('defines one Glue database and one external JSON table in it', () => {
    template.resourceCountIs('AWS::Glue::Database', 1)
    template.resourceCountIs('AWS::Glue::Table', 1)
    template.hasResourceProperties('AWS::Glue::Database', { CatalogId: { Ref: 'AWS::AccountId' }, DatabaseInput: { Name: 'voxelflow' } })
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'voxelflow',
      TableInput: Match.objectLike({
        Name: 'case_labels',
        TableType: 'EXTERNAL_TABLE',
        StorageDescriptor: Match.objectLike({
          InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          SerdeInfo: Match.objectLike({ SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' }),
        }),
      }),
    })
    const [table] = Object.values(resources()).filter((r) => r.Type === 'AWS::Glue::Table')
    // Created after its database.
    const databaseId = Object.entries(resources()).find(([, r]) => r.Type === 'AWS::Glue::Database')![0]
    expect(table.DependsOn).toContain(databaseId)
  })

  it('reads the analytics prefix of the output bucket, partitioned as the report stage writes keys', () => {
    const [table] = Object.values(resources()).filter((r) => r.Type === 'AWS::Glue::Table')
    const location = JSON.stringify(table.Properties.TableInput.StorageDescriptor.Location)
    expect(location).toContain(idOf(stack.outputBucket))
    expect(location).toContain('/analytics/')
    const partitions = table.Properties.TableInput.PartitionKeys as { Name: string; Type: string }[]
    expect(partitions).toEqual([{ Name: 'dataset', Type: 'string' }, { Name: 'pipeline_version', Type: 'string' }])
    // The object key carries exactly these partitions, in this order, Hive-style.
    const key = analyticsKeys.caseRows('pelvis', '0.1.0', 'case-001')
    expect(key.split('/').slice(1, -1).map((segment) => segment.split('=')[0])).toEqual(partitions.map((p) => p.Name))
    expect(key.startsWith('analytics/')).toBe(true)
  })

  it('has every column of the labels table except the partition keys, with SQL types', () => {
    const [table] = Object.values(resources()).filter((r) => r.Type === 'AWS::Glue::Table')
    const columns = table.Properties.TableInput.StorageDescriptor.Columns as { Name: string; Type: string }[]
    expect(columns.map((c) => c.Name)).toEqual(DATASET_TABLE_COLUMNS.filter((c) => c !== 'dataset' && c !== 'pipeline_version'))
    const type = Object.fromEntries(columns.map((c) => [c.Name, c.Type]))
    expect(type).toMatchObject({ volume_ml: 'double', voxel_count: 'bigint', label_value: 'bigint', touches_border: 'boolean', case_id: 'string' })
    for (const c of columns) expect(['string', 'double', 'bigint', 'boolean']).toContain(c.Type)
  })

  it('only the input bucket sends event notifications: writing analytics rows starts nothing', () => {
    const notifications = Object.values(resources()).filter((r) => r.Type === 'Custom::S3BucketNotifications')
    expect(notifications).toHaveLength(1)
    expect(notifications[0].Properties.BucketName).toEqual({ Ref: idOf(stack.inputBucket) })
  })
})
