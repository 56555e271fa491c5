import { Duration, RemovalPolicy } from 'aws-cdk-lib'
import * as s3 from 'aws-cdk-lib/aws-s3'
import { Construct } from 'constructs'

export interface SecureBucketProps {
  /** Keep every version of every object (the input bucket: the source of truth). */
  readonly versioned?: boolean
  /** Delete objects this many days after creation (the work bucket: scratch space). */
  readonly expireAfterDays?: number
  /** Delete non-current versions after this many days (versioned buckets only). */
  readonly noncurrentVersionExpireAfterDays?: number
  /** Where S3 writes this bucket's server access logs (who read or wrote which object). */
  readonly serverAccessLogsBucket?: s3.IBucket
  /** Default RETAIN: scans and reports are never deleted by a `cdk destroy`. */
  readonly removalPolicy?: RemovalPolicy
}

/**
 * A private S3 bucket as every voxelflow bucket should be: no public access, S3-managed
 * encryption, TLS only, bucket-owner-enforced ownership, unfinished multipart uploads cleaned up.
 */
export class SecureBucket extends Construct {
  readonly bucket: s3.Bucket

  constructor(scope: Construct, id: string, props: SecureBucketProps = {}) {
    super(scope, id)
    const rules: s3.LifecycleRule[] = [{ id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) }]
    if (props.expireAfterDays !== undefined) {
      rules.push({ id: 'expire-scratch', expiration: Duration.days(props.expireAfterDays) })
    }
    if (props.versioned && props.noncurrentVersionExpireAfterDays !== undefined) {
      rules.push({ id: 'expire-noncurrent-versions', noncurrentVersionExpiration: Duration.days(props.noncurrentVersionExpireAfterDays) })
    }
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: props.versioned ?? false,
      lifecycleRules: rules,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      ...(props.serverAccessLogsBucket
        ? { serverAccessLogsBucket: props.serverAccessLogsBucket, serverAccessLogsPrefix: `${id.toLowerCase()}/` }
        : {}),
    })
  }
}
