import { DownloadCard } from './download-card';
import styles from './files.module.css';
import { UploadCard } from './upload-card';

/** File transfer with one node: download (files:read), upload (files:write). */
export function FilesTab({
  nodeId,
  nodeName,
  canRead,
  canWrite,
}: {
  nodeId: string;
  nodeName: string;
  canRead: boolean;
  canWrite: boolean;
}) {
  return (
    <div className={styles.stack} data-testid="files-tab">
      {canRead && <DownloadCard nodeId={nodeId} nodeName={nodeName} />}
      {canWrite && <UploadCard nodeId={nodeId} nodeName={nodeName} />}
    </div>
  );
}
