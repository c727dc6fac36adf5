import { describe, expect, it } from 'vitest';
import { auditCsv, csvField, formatDetails, type AuditEntry } from './audit-log.ts';

describe('audit CSV', () => {
  it('quotes fields with commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
  });

  it('neutralises cells a spreadsheet would run as a formula', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) {
      expect(csvField(`${start}1+1`).replace(/^"/, '')).toMatch(/^'/);
    }
    expect(csvField('=SUM(A1,A2)')).toBe(`"'=SUM(A1,A2)"`);
    expect(csvField('+33612345678')).toBe("'+33612345678");
    expect(csvField('a=b')).toBe('a=b');
  });

  it('writes a header and one CRLF-terminated row per event', () => {
    const event: AuditEntry = {
      id: '1',
      type: 'settings.changed',
      at: '2026-06-01T09:00:00.000Z',
      actor: { id: 'u1', name: 'Martin, Alice' },
      target: 'smsCountries',
      targetUserId: null,
      details: { from: null, to: 'FR,DE' }
    };
    expect(auditCsv([event, { ...event, actor: null, details: null }])).toBe(
      'time,type,actor,target,details\r\n' +
        '2026-06-01T09:00:00.000Z,settings.changed,"Martin, Alice",smsCountries,"from: default; to: FR,DE"\r\n' +
        '2026-06-01T09:00:00.000Z,settings.changed,,smsCountries,\r\n'
    );
    expect(formatDetails({ setting: 'outbound', from: 'default', to: false })).toBe(
      'setting: outbound; from: default; to: false'
    );
  });
});
