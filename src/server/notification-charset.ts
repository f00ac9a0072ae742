import type { RequestHandler } from 'express';

/**
 * Graph's notifications are JSON in UTF-8, but their Content-Type's charset is not always spelt the one way the JSON
 * body parser accepts (`utf-8`, any case): `utf8`, `UTF8` and a quoted `"utf-8"` are the same encoding (the
 * IANA/WHATWG encoding labels), and the parser would refuse them with 415. They are spelt `utf-8` here, before the
 * parser. Any other charset is left for the parser to refuse: the body would be read wrongly.
 */
export function normaliseNotificationCharset(): RequestHandler {
  return (req, _res, next) => {
    const type = req.headers['content-type'];
    if (typeof type === 'string' && /charset/i.test(type))
      req.headers['content-type'] = type.replace(/(;\s*charset\s*=\s*)("?)utf-?8\2(?=\s*(;|$))/i, '$1utf-8');
    next();
  };
}
