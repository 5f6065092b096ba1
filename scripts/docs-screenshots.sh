#!/usr/bin/env bash
# The guides' screenshots, taken again by the browser tests that click through the hub and the LMS
# (as root: they start a hub), then copied into docs/images/ under the names the guides use.
# Commit the images it changes; scripts/docs.sh only reads them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/python -m pytest -q -n 2 --dist loadgroup tests/hub/test_hub_journey.py \
  "tests/hub/test_lti_login.py::test_from_the_lms_link_to_the_lms_gradebook_in_a_browser"
# test-output/<journey>/<shot> -> docs/images/<name>
while read -r shot name; do
  cp "test-output/$shot" "docs/images/$name"
done <<'SHOTS'
hub-journey/1-fetched.png hub-fetched.png
hub-journey/2-answered.png hub-answered.png
hub-journey/3-validated.png hub-validated.png
hub-journey/4-submitted.png hub-submitted.png
hub-journey/5-feedback.png hub-feedback.png
hub-journey/6-formgrader.png formgrader.png
hub-journey/8-wrong-password.png hub-wrong-password.png
hub-journey/9-exam-paper-student1.png exam-paper.png
lti-journey/lti-1-landed.png lms-landed.png
lti-journey/lti-2-submitted.png lms-submitted.png
lti-journey/lti-3-lms-gradebook.png lms-gradebook.png
lti-journey/lti-4-forged-refused.png lms-launch-refused.png
SHOTS
echo "docs/images/: $(ls docs/images | wc -l) screenshots; commit the ones that changed"
