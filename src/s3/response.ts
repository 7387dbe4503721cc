/** Small builders for S3 success responses. */

/** A 200 XML response. */
export function xmlResponse(body: string, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/xml");
  return new Response(body, { status: 200, headers: h });
}

/** A bodiless response. */
export function emptyResponse(status: number, headers?: HeadersInit): Response {
  return new Response(null, { status, headers: headers ?? {} });
}
