// @vitest-environment jsdom
import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { installFakeClient } from '../../../test/renderer/fake-client';
import KafkaScreen from './KafkaScreen.svelte';

describe('KafkaScreen before and after its first answer', () => {
  it('says Kafka cannot be reached (and offers the Stack screen) when the inspector answers 503', async () => {
    installFakeClient({ 'GET /control/inspect/kafka': { status: 503, body: { error: { code: 'kafka_unavailable', message: 'Kafka is not reachable' } } } });
    render(KafkaScreen);
    expect(await screen.findByText('Kafka is not reachable')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Open Stack' })).toBeTruthy();
  });

  it('shows the topics once they arrive', async () => {
    installFakeClient({
      'GET /control/inspect/kafka': { topics: [{ name: 'listens', partitions: [], replication_factor: 1, messages: 42 }], groups: [] },
      'GET /control/inspect/kafka/topics/listens/messages': { topic: 'listens', messages: [] },
    });
    render(KafkaScreen);
    expect(await screen.findByText('1 topics')).toBeTruthy();
    expect(screen.queryByText('Kafka is not reachable')).toBeNull();
  });
});
