/** `--help`: the usage text bucketgate prints. */

/** The help text for `version`: every flag and every environment variable main.ts reads. */
export function helpText(version: string): string {
  return `bucketgate ${version}: an S3-compatible gateway

Usage: bucketgate [options]
       bucketgate explain --config FILE --principal <access key id|role:<id>|anonymous>
         --action s3:GetObject --resource bucket/key [--claim k=v]… [--session-policy FILE]
         [--source-ip IP] [--context key=value]…   why a request is allowed or denied

Options:
  --config PATH         config file (default ./config.yaml, else the embedded default)
  --listen HOST:PORT    address to listen on (default from config, else 127.0.0.1:8080)
  --domain DOMAIN       enable virtual-hosted style for <bucket>.DOMAIN
  --check-config        validate the config, print every problem, exit 1 or 0
  --admin-listen [HOST:]PORT  serve /healthz, /readyz and /metrics there (default
                        off; host 127.0.0.1 when only a port is given; no
                        authentication: keep it on 127.0.0.1 or a private network)
  --log-format json|text  access-log format (default json)
  --log-level info|warn|error  info: every request; warn: only 4xx/5xx and
                        warnings; error: only 5xx and errors (default info)
  --workers N|auto      isolates serving the port together (Linux; default 1, or
                        the config's workers:); auto: one per CPU
  --version             print the version
  --help                print this help

Environment:
  SESSION_TOKEN_KEY     base64 of 32 random bytes (openssl rand -base64 32): turns on
                        STS AssumeRoleWithWebIdentity and seals its session tokens
  SESSION_TOKEN_KEY_PREVIOUS  the key before a rotation, still accepted for opening
  DENO_CERT             a PEM CA bundle to trust (private OIDC issuers, stores, STS)
  OIDC_PROVIDER_KEY     a PEM RSA private key (PKCS#1 or PKCS#8): with
  OIDC_PROVIDER_ISSUER  (this gateway's public URL) makes bucketgate an OIDC issuer
                        for auth_type: oidc buckets
  OIDC_PROVIDER_KEY_NEXT  the next key, published in the JWKS ahead of a rotation
  and any \${VAR} the config names.`;
}
