// SPDX-License-Identifier: Apache-2.0
// Writes deterministic CloudTrail log files for the import benchmark (issue 14): records
// shaped like AWS's documented examples (AssumedRole sessions of the agents' roles with
// their sessionIssuer, a few IAM users and AWS services, requestParameters and
// responseElements per API, resources[] where CloudTrail gives them, an errorCode on a few
// percent), minified as CloudTrail writes them to S3: {"Records":[...]} per file.
//
//   bench_gencloudtrail N FILES OUTDIR      writes OUTDIR/trail-<k>.json, N records in all
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

struct Rng
{
    std::uint64_t s;
    std::uint64_t next()
    {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
    bool chance(int perMille) { return below(1000) < perMille; }
};

constexpr const char* kAccount = "123456789012";

struct Role
{
    const char* name;
    const char* roleId; // the role's unique id (AROA...)
};

const Role kRoles[] = {
    {"agent-brain-role", "AROAQXYZBRAIN0EXAMPLE"},
    {"agent-sql-writer-role", "AROAQXYZSQLWR0EXAMPLE"},
    {"agent-weight-applier-role", "AROAQXYZWEIGH0EXAMPLE"},
    {"agent-formatter-role", "AROAQXYZFORMA0EXAMPLE"},
    {"data-pipeline-role", "AROAQXYZPIPEL0EXAMPLE"},
};
const char* kRegions[] = {"us-east-1", "us-east-1", "eu-west-1", "us-west-2"};
const char* kAgents[] = {
    "aws-sdk-java/2.20.162 Linux/5.10.198-187.748.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.8+8-LTS Java/17.0.8 vendor/Amazon.com_Inc. exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/standard",
    "Boto3/1.28.57 md/Botocore#1.31.57 ua/2.0 os/linux#5.10.196 md/arch#x86_64 lang/python#3.11.5 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.31.57",
    "aws-cli/2.13.25 Python/3.11.5 Linux/6.1.0-13-amd64 exe/x86_64.debian.12 prompt/off command/s3.cp",
    "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488 Linux/5.10.184-153.729.amzn2int.x86_64]",
};

std::string hex(Rng& r, int n)
{
    static const char* d = "0123456789abcdef";
    std::string s;
    for (int i = 0; i < n; ++i)
        s += d[r.below(16)];
    return s;
}

std::string upper(Rng& r, int n)
{
    static const char* d = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    std::string s;
    for (int i = 0; i < n; ++i)
        s += d[r.below(32)];
    return s;
}

std::string uuid(Rng& r)
{
    return hex(r, 8) + "-" + hex(r, 4) + "-4" + hex(r, 3) + "-a" + hex(r, 3) + "-" + hex(r, 12);
}

/// Seconds from 2026-11-21T00:00:00Z as CloudTrail writes them (no fraction).
std::string ts(std::int64_t secs)
{
    const int day = 21 + static_cast<int>(secs / 86400);
    const int h = static_cast<int>(secs / 3600 % 24), m = static_cast<int>(secs / 60 % 60),
              s = static_cast<int>(secs % 60);
    char buf[40];
    std::snprintf(buf, sizeof buf, "2026-11-%02dT%02d:%02d:%02dZ", day, h, m, s);
    return buf;
}

struct Session
{
    int role = 0;
    std::string name;      // role session name
    std::string accessKey; // ASIA...
    std::string created;
};

struct Api
{
    const char* source; // eventSource
    const char* name;   // eventName
    bool readOnly;
};

const Api kApis[] = {
    {"s3.amazonaws.com", "GetObject", true},
    {"s3.amazonaws.com", "GetObject", true},
    {"s3.amazonaws.com", "PutObject", false},
    {"s3.amazonaws.com", "ListObjects", true},
    {"athena.amazonaws.com", "StartQueryExecution", false},
    {"athena.amazonaws.com", "GetQueryExecution", true},
    {"athena.amazonaws.com", "GetQueryResults", true},
    {"glue.amazonaws.com", "GetTable", true},
    {"kms.amazonaws.com", "Decrypt", true},
    {"kms.amazonaws.com", "GenerateDataKey", true},
    {"sts.amazonaws.com", "AssumeRole", true},
    {"dynamodb.amazonaws.com", "DescribeTable", true},
    {"ec2.amazonaws.com", "DescribeInstances", true},
    {"logs.amazonaws.com", "CreateLogStream", false},
    {"monitoring.amazonaws.com", "PutMetricData", false},
    {"iam.amazonaws.com", "GetRole", true},
};

struct Piece
{
    std::string request;   // requestParameters (a JSON value)
    std::string response;  // responseElements (a JSON value)
    std::string resources; // resources[] (a JSON array) or empty
};

Piece apiPieces(Rng& r, const Api& api, const char* region)
{
    Piece p;
    const std::string name = api.name;
    const std::string key = "readonly/weights-" + std::to_string(r.below(400)) + ".parquet";
    const std::string kmsArn = std::string("arn:aws:kms:") + region + ":" + kAccount +
                               ":key/" + "1a2b3c4d-5e6f-4a7b-8c9d-" + hex(r, 12);
    if (name == "GetObject" || name == "PutObject") {
        p.request = "{\"bucketName\":\"data-bucket\",\"Host\":\"data-bucket.s3." + std::string(region) +
                    ".amazonaws.com\",\"key\":\"" + key + "\"" +
                    (name == "PutObject" ? ",\"x-amz-server-side-encryption\":\"aws:kms\"" : "") + "}";
        p.response = name == "PutObject"
                         ? "{\"x-amz-server-side-encryption-aws-kms-key-id\":\"" + kmsArn +
                               "\",\"x-amz-server-side-encryption\":\"aws:kms\"}"
                         : "null";
        p.resources = "[{\"type\":\"AWS::S3::Object\",\"ARN\":\"arn:aws:s3:::data-bucket/" + key +
                      "\"},{\"accountId\":\"" + kAccount +
                      "\",\"type\":\"AWS::S3::Bucket\",\"ARN\":\"arn:aws:s3:::data-bucket\"}]";
    } else if (name == "ListObjects") {
        p.request = "{\"bucketName\":\"data-bucket\",\"prefix\":\"readonly/\",\"Host\":\"data-bucket.s3." +
                    std::string(region) + ".amazonaws.com\",\"max-keys\":\"1000\"}";
        p.response = "null";
        p.resources = "[{\"accountId\":\"" + std::string(kAccount) +
                      "\",\"type\":\"AWS::S3::Bucket\",\"ARN\":\"arn:aws:s3:::data-bucket\"}]";
    } else if (name == "StartQueryExecution") {
        p.request = "{\"queryString\":\"SELECT channel, count(*) AS viewers FROM daily_summary WHERE region = 'north' AND event_date >= '2026-11-01' GROUP BY channel\",\"clientRequestToken\":\"" +
                    uuid(r) + "\",\"queryExecutionContext\":{\"database\":\"analytics\"},\"workGroup\":\"primary\"}";
        p.response = "{\"queryExecutionId\":\"" + uuid(r) + "\"}";
    } else if (name == "GetQueryExecution" || name == "GetQueryResults") {
        p.request = "{\"queryExecutionId\":\"" + uuid(r) + "\"" +
                    (name == "GetQueryResults" ? ",\"maxResults\":1000" : "") + "}";
        p.response = "null";
    } else if (name == "GetTable") {
        p.request = "{\"databaseName\":\"analytics\",\"name\":\"daily_summary\"}";
        p.response = "null";
    } else if (name == "Decrypt" || name == "GenerateDataKey") {
        p.request = "{\"encryptionAlgorithm\":\"SYMMETRIC_DEFAULT\",\"encryptionContext\":{\"aws:s3:arn\":\"arn:aws:s3:::data-bucket/" +
                    key + "\"}" + (name == "GenerateDataKey" ? ",\"keyId\":\"" + kmsArn + "\",\"keySpec\":\"AES_256\"" : "") + "}";
        p.response = "null";
        p.resources = "[{\"accountId\":\"" + std::string(kAccount) + "\",\"type\":\"AWS::KMS::Key\",\"ARN\":\"" +
                      kmsArn + "\"}]";
    } else if (name == "AssumeRole") {
        const Role& to = kRoles[r.below(5)];
        p.request = "{\"roleArn\":\"arn:aws:iam::" + std::string(kAccount) + ":role/" + to.name +
                    "\",\"roleSessionName\":\"session-" + hex(r, 8) + "\",\"durationSeconds\":3600}";
        p.response = "{\"credentials\":{\"accessKeyId\":\"ASIA" + upper(r, 16) +
                     "\",\"sessionToken\":\"IQoJb3JpZ2luX2VjEOr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD" + hex(r, 48) +
                     "\",\"expiration\":\"Nov 21, 2026, 11:00:00 PM\"},\"assumedRoleUser\":{\"assumedRoleId\":\"" +
                     to.roleId + ":session\",\"arn\":\"arn:aws:sts::" + kAccount + ":assumed-role/" + to.name + "/session\"}}";
        p.resources = "[{\"accountId\":\"" + std::string(kAccount) + "\",\"type\":\"AWS::IAM::Role\",\"ARN\":\"arn:aws:iam::" +
                      kAccount + ":role/" + to.name + "\"}]";
    } else if (name == "DescribeTable") {
        p.request = "{\"tableName\":\"viewer-sessions\"}";
        p.response = "null";
        p.resources = "[{\"accountId\":\"" + std::string(kAccount) + "\",\"type\":\"AWS::DynamoDB::Table\",\"ARN\":\"arn:aws:dynamodb:" +
                      region + ":" + kAccount + ":table/viewer-sessions\"}]";
    } else if (name == "DescribeInstances") {
        p.request = "{\"instancesSet\":{},\"filterSet\":{\"items\":[{\"name\":\"tag:team\",\"valueSet\":{\"items\":[{\"value\":\"analytics\"}]}}]}}";
        p.response = "null";
    } else if (name == "CreateLogStream") {
        p.request = "{\"logGroupName\":\"/agent-system/brain\",\"logStreamName\":\"brain/" + hex(r, 12) + "\"}";
        p.response = "null";
    } else if (name == "PutMetricData") {
        p.request = "{\"namespace\":\"Vigil/Agents\",\"metricData\":[{\"metricName\":\"Latency\",\"value\":" +
                    std::to_string(20 + r.below(900)) + ",\"unit\":\"Milliseconds\"}]}";
        p.response = "null";
    } else { // GetRole
        p.request = "{\"roleName\":\"" + std::string(kRoles[r.below(5)].name) + "\"}";
        p.response = "null";
    }
    return p;
}

Session newSession(Rng& r, std::int64_t now)
{
    Session s;
    s.role = r.below(5);
    s.name = std::string(r.chance(500) ? "botocore-session-" : "agent-task-") + std::to_string(1700000000 + now) +
             "-" + hex(r, 6);
    s.accessKey = "ASIA" + upper(r, 16);
    s.created = ts(now);
    return s;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 4) {
        std::fprintf(stderr, "usage: bench_gencloudtrail N FILES OUTDIR\n");
        return 1;
    }
    const long n = std::atol(argv[1]);
    const long files = std::atol(argv[2]);
    if (n <= 0 || files <= 0) {
        std::fprintf(stderr, "bench_gencloudtrail: N and FILES must be positive\n");
        return 1;
    }
    Rng r{0x243F6A8885A308D3ull};
    std::int64_t clock = 0;
    constexpr int kSessions = 64;
    Session sessions[kSessions];
    for (Session& s : sessions)
        s = newSession(r, 0);
    long written = 0;
    for (long f = 0; f < files; ++f) {
        const std::string path = std::string(argv[3]) + "/trail-" + std::to_string(f) + ".json";
        FILE* out = std::fopen(path.c_str(), "w");
        if (!out) {
            std::perror(path.c_str());
            return 1;
        }
        const long count = n / files + (f < n % files ? 1 : 0);
        std::fputs("{\"Records\":[", out);
        for (long i = 0; i < count; ++i, ++written) {
            if (r.chance(40))
                clock += 1;
            Session& s = sessions[r.below(kSessions)];
            if (r.chance(2))
                s = newSession(r, clock); // a session ends, another starts
            const Api& api = kApis[r.below(static_cast<int>(sizeof kApis / sizeof kApis[0]))];
            const char* region = kRegions[r.below(4)];
            const Piece p = apiPieces(r, api, region);
            const Role& role = kRoles[s.role];
            std::string identity;
            std::string agent = kAgents[r.below(4)];
            std::string ip = "10.0." + std::to_string(r.below(16)) + "." + std::to_string(1 + r.below(250));
            const int who = r.below(1000);
            if (who < 20) { // an IAM user (a person at the console or the CLI)
                identity = std::string("{\"type\":\"IAMUser\",\"principalId\":\"AIDAQXYZUSER0EXAMPLE\",\"arn\":\"arn:aws:iam::") +
                           kAccount + ":user/jane.doe\",\"accountId\":\"" + kAccount +
                           "\",\"accessKeyId\":\"AKIA" + upper(r, 16) + "\",\"userName\":\"jane.doe\"}";
                ip = "203.0.113." + std::to_string(1 + r.below(250));
            } else if (who < 30) { // a service acting on its own
                identity = "{\"type\":\"AWSService\",\"invokedBy\":\"athena.amazonaws.com\"}";
                agent = "athena.amazonaws.com";
                ip = "athena.amazonaws.com";
            } else {
                identity = std::string("{\"type\":\"AssumedRole\",\"principalId\":\"") + role.roleId + ":" + s.name +
                           "\",\"arn\":\"arn:aws:sts::" + kAccount + ":assumed-role/" + role.name + "/" + s.name +
                           "\",\"accountId\":\"" + kAccount + "\",\"accessKeyId\":\"" + s.accessKey +
                           "\",\"sessionContext\":{\"sessionIssuer\":{\"type\":\"Role\",\"principalId\":\"" + role.roleId +
                           "\",\"arn\":\"arn:aws:iam::" + kAccount + ":role/" + role.name + "\",\"accountId\":\"" +
                           kAccount + "\",\"userName\":\"" + role.name +
                           "\"},\"webIdFederationData\":{},\"attributes\":{\"creationDate\":\"" + s.created +
                           "\",\"mfaAuthenticated\":\"false\"}}}";
            }
            std::string error;
            if (r.chance(30)) {
                static const char* kErrors[][2] = {
                    {"AccessDenied", "Access Denied"},
                    {"Client.UnauthorizedOperation", "You are not authorized to perform this operation."},
                    {"ThrottlingException", "Rate exceeded"},
                    {"NoSuchKey", "The specified key does not exist."},
                };
                const int e = r.below(4);
                error = std::string(",\"errorCode\":\"") + kErrors[e][0] + "\",\"errorMessage\":\"" + kErrors[e][1] + "\"";
            }
            std::string rec = "{\"eventVersion\":\"1.08\",\"userIdentity\":" + identity + ",\"eventTime\":\"" + ts(clock) +
                              "\",\"eventSource\":\"" + api.source + "\",\"eventName\":\"" + api.name +
                              "\",\"awsRegion\":\"" + region + "\",\"sourceIPAddress\":\"" + ip +
                              "\",\"userAgent\":\"" + agent + "\"" + error + ",\"requestParameters\":" + p.request +
                              ",\"responseElements\":" + (error.empty() ? p.response : std::string("null")) +
                              ",\"requestID\":\"" + upper(r, 16) + "\",\"eventID\":\"" + uuid(r) +
                              "\",\"readOnly\":" + (api.readOnly ? "true" : "false") +
                              (p.resources.empty() ? "" : ",\"resources\":" + p.resources) +
                              ",\"eventType\":\"AwsApiCall\",\"managementEvent\":" +
                              (api.source == std::string("s3.amazonaws.com") ? "false" : "true") +
                              ",\"recipientAccountId\":\"" + kAccount + "\",\"eventCategory\":\"" +
                              (api.source == std::string("s3.amazonaws.com") ? "Data" : "Management") +
                              "\",\"tlsDetails\":{\"tlsVersion\":\"TLSv1.3\",\"cipherSuite\":\"TLS_AES_128_GCM_SHA256\",\"clientProvidedHostHeader\":\"" +
                              std::string(api.source).insert(std::string(api.source).find('.'), std::string(".") + region) +
                              "\"}}";
            if (i > 0)
                std::fputc(',', out);
            std::fputs(rec.c_str(), out);
        }
        std::fputs("]}\n", out);
        std::fclose(out);
    }
    std::fprintf(stderr, "bench_gencloudtrail: %ld records in %ld files\n", written, files);
    return 0;
}
