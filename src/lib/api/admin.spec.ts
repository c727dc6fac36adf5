import { describe, expect, it } from 'vitest';
import { auditCsvUrl, auditQuery, type AuditFilter } from './admin';

const none: AuditFilter = { type: '', person: '', from: '', to: '' };

describe('auditQuery', () => {
  it('sends no query string when nothing is filtered', () => {
    expect(auditQuery(none)).toBe('');
  });

  it('sends each filter that is set, trimmed, and the page cursor', () => {
    const query = auditQuery(
      { type: 'request.blocked', person: ' u1 ', from: '2026-06-01', to: '2026-06-30' },
      { before: 'ev 9' }
    );
    const params = new URLSearchParams(query.slice(1));
    expect(query.startsWith('?')).toBe(true);
    expect(Object.fromEntries(params)).toEqual({
      type: 'request.blocked',
      person: 'u1',
      from: '2026-06-01',
      to: '2026-06-30',
      before: 'ev 9'
    });
  });

  it('leaves out a person made of spaces', () => {
    expect(auditQuery({ ...none, person: '   ' })).toBe('');
  });
});

describe('auditCsvUrl', () => {
  it('exports the same filters as the list, without paging', () => {
    const filter: AuditFilter = { ...none, type: 'settings.changed', to: '2026-06-01' };
    expect(auditCsvUrl('org/1', filter)).toBe(
      '/api/admin/organizations/org%2F1/audit.csv?type=settings.changed&to=2026-06-01'
    );
  });
});
