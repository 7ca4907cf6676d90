import { describe, expect, it } from 'vitest';
import { portalFields, TAGS_SHOWN } from '../../lib/console/pages/consent-portal-form.js';

describe('the console consent portal form', () => {
  const values = { description: 'd', workload: 'agent', providers: 'calendar', scopes: 'calendar: read' };

  it('shows the connection tags with the marker that lets a save write them', () => {
    const html = portalFields('edit', values, {}, []);
    expect(html).toContain(`name="${TAGS_SHOWN}" value="1"`);
    expect(html).toContain('name="tags.agentcore-identity:workload"');
  });

  it('leaves the tag fields out when the stored tags could not be read, saying why, so a save cannot wipe them', () => {
    const html = portalFields('edit', values, { 'tags.agentcore-identity:workload': 'names no workload identity' }, [], 'Throttled (try again in a moment)');
    expect(html).not.toContain('name="tags.');
    expect(html).not.toContain(`name="${TAGS_SHOWN}"`);
    expect(html).toContain('could not be read (Throttled (try again in a moment))');
    expect(html).toContain('name="description"');
  });
});
