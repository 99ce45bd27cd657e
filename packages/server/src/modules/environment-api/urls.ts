/** The path part of a request URL as received (prefix and environment as the client wrote them). */
export const pathOf = (requestUrl: string): string => {
  const cut = requestUrl.indexOf('?');
  return cut < 0 ? requestUrl : requestUrl.slice(0, cut);
};

/**
 * An absolute URL next to the one requested: the issuer, the requested path, then `suffix`
 * (links in responses are absolute, as GraFx's are).
 */
export const linkFrom = (issuer: string, requestUrl: string, suffix: string): string => `${issuer.replace(/\/+$/, '')}${pathOf(requestUrl)}${suffix}`;
