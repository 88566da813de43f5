// Stands in for the tray app in its own process: attaches to the service over the control
// channel and prints each Demo state it is told about, until killed.
import { AttachedController } from '../../src/main/service/attached-controller.js';

const [dataDir, role] = process.argv.slice(2);
const controller = await AttachedController.attach({
  dataDir: dataDir as string,
  role: role === 'admin' ? 'admin' : 'viewer',
});
const print = () => {
  const demo = controller.status().environments.find((e) => e.environment === 'demo');
  process.stdout.write(`attached link=${controller.link} demo=${demo?.state}\n`);
};
controller.on('status', print);
print();
setInterval(() => undefined, 60_000);
