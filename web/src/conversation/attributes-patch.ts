/**
 * The attributes that changed, as a merge patch: a new value, or null for one emptied. Values that
 * were not strings (numbers, booleans, objects) are read back as JSON when they parse.
 */
export function attributesPatch(form: FormData, original: Record<string, unknown>): Record<string, unknown> | undefined {
  const patch: Record<string, unknown> = {};
  for (const [key, before] of Object.entries(original)) {
    const text = String(form.get(`attribute:${key}`) ?? '');
    const shown = typeof before === 'string' ? before : JSON.stringify(before);
    if (text === shown) continue;
    if (text === '') patch[key] = null;
    else if (typeof before === 'string') patch[key] = text;
    else {
      try {
        patch[key] = JSON.parse(text) as unknown;
      } catch {
        patch[key] = text;
      }
    }
  }
  const newKey = String(form.get('new-attribute-key') ?? '').trim();
  if (newKey) patch[newKey] = String(form.get('new-attribute-value') ?? '');
  return Object.keys(patch).length > 0 ? patch : undefined;
}
