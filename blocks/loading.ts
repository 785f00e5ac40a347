/** A placeholder modal shown while slow work runs after an ack (replaced with views.update). */
import type { ModalView } from '@slack/types';
import { context, modal, section } from './elements.js';
import { encodeMetadata, escapeMrkdwn } from './limits.js';

export interface LoadingData {
  /** The callback id of the view it stands for, so late clicks still route to its step. */
  callbackId: string;
  title: string;
  /** What is being loaded, in plain words (escaped here). */
  text: string;
  draftId?: string;
}

export function renderLoading(data: LoadingData): ModalView {
  return modal({
    callbackId: data.callbackId,
    title: data.title,
    close: 'Cancel',
    blocks: [
      section(`:hourglass_flowing_sand: ${escapeMrkdwn(data.text)}`),
      context(['This takes a moment.']),
    ],
    ...(data.draftId !== undefined ? { privateMetadata: encodeMetadata({ draftId: data.draftId }) } : {}),
  });
}

/** A modal that only says something (an expired form, a problem after the ack). */
export function renderNotice(data: { callbackId: string; title: string; text: string }): ModalView {
  return modal({
    callbackId: data.callbackId,
    title: data.title,
    close: 'Close',
    blocks: [section(escapeMrkdwn(data.text))],
  });
}
