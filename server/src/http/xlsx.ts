// Sending a workbook: the xlsx media type and a download name that keeps Chinese characters (RFC 6266/5987).
import type { FastifyReply } from 'fastify';

export function sendXlsx(reply: FastifyReply, filename: string, buf: Buffer) {
  return reply
    .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`)
    .send(buf);
}
