// Exact S3 permissions for one function on one bucket, limited to a key prefix. CDK's
// bucket.grantRead/grantPut hand out action wildcards (s3:GetObject*, s3:List*, s3:Abort*) on
// every key; voxelflow's object store needs five actions, and the work bucket only `runs/`.
import { Validations } from 'aws-cdk-lib'
import * as iam from 'aws-cdk-lib/aws-iam'
import type * as s3 from 'aws-cdk-lib/aws-s3'

export type BucketAccess = 'read' | 'write' | 'readWrite'

/** What src/aws/s3-object-store.ts calls: Get/Head (GetObject), List, Put (also multipart), Abort. */
export const bucketActions = {
  read: { object: ['s3:GetObject'], bucket: ['s3:ListBucket'] },
  write: { object: ['s3:PutObject', 's3:AbortMultipartUpload'], bucket: [] as string[] },
}

export interface GrantBucketAccessOptions {
  /** Key prefix the function may touch ('' = every key, e.g. uploads in user-chosen folders). */
  readonly prefix: string
  /** Why the object wildcard below the prefix is the narrowest possible (kept for cdk-nag). */
  readonly why: string
}

/**
 * Grants `access` on `bucket` keys under `prefix` to `role`, and acknowledges the one wildcard
 * that remains (object keys are per case, unknown at deploy time) on the policy that holds it.
 */
export function grantBucketAccess(
  role: iam.IRole,
  bucket: s3.IBucket,
  access: BucketAccess,
  options: GrantBucketAccessOptions,
): void {
  const objectActions: string[] = []
  const bucketLevelActions: string[] = []
  if (access === 'read' || access === 'readWrite') {
    objectActions.push(...bucketActions.read.object)
    bucketLevelActions.push(...bucketActions.read.bucket)
  }
  if (access === 'write' || access === 'readWrite') objectActions.push(...bucketActions.write.object)
  const objects = bucket.arnForObjects(`${options.prefix}*`)
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: objectActions, resources: [objects] }))
  if (bucketLevelActions.length > 0) {
    // ListBucket also lets HeadObject answer 404 instead of 403 for a missing key.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: bucketLevelActions,
        resources: [bucket.bucketArn],
        ...(options.prefix ? { conditions: { StringLike: { 's3:prefix': [`${options.prefix}*`] } } } : {}),
      }),
    )
  }
  // On the role: cdk-nag reports the finding on its DefaultPolicy below it.
  Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalIdToken(bucket)}.Arn>/${options.prefix}*]`,
    reason: `Object keys are per case and unknown at deploy time; ${options.why}`,
  })
}

/** cdk-nag names a bucket by the logical id of its CfnBucket: `<InputBucket35D89CB1.Arn>`. */
function logicalIdToken(bucket: s3.IBucket): string {
  const cfn = bucket.node.defaultChild as { logicalId?: string } | undefined
  return bucket.stack.resolve(cfn?.logicalId ?? '') as string
}
