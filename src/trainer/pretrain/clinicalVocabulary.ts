// The clinical facts the pretraining corpus is written from. Broad general-medicine prose so the sample
// model learns how notes, messages and explanations sound — deliberately not the labelled task formats
// (no yes/no labels, no triage categories, no multiple-choice questions, no "summarize" instructions).

export interface Condition {
  name: string;
  /** How a patient would say it. */
  lay: string;
  symptoms: string[];
  findings: string[];
  tests: string[];
  treatments: string[];
  warnings: string[];
  explanation: string[];
  advice: string[];
}

export const CONDITIONS: Condition[] = [
  {
    name: 'community-acquired pneumonia', lay: 'a chest infection',
    symptoms: ['productive cough', 'fever', 'shortness of breath', 'pleuritic chest pain', 'fatigue'],
    findings: ['crackles at the right base', 'oxygen saturation of 93% on room air', 'a respiratory rate of 24', 'dullness to percussion on the left'],
    tests: ['a chest radiograph', 'a complete blood count', 'a procalcitonin level', 'blood cultures'],
    treatments: ['oral amoxicillin', 'doxycycline', 'ceftriaxone and azithromycin', 'supplemental oxygen'],
    warnings: ['worsening breathlessness', 'confusion', 'lips turning blue', 'fever that persists beyond three days of antibiotics'],
    explanation: ['Pneumonia is an infection of the air sacs in the lungs.', 'The air sacs fill with fluid, which makes it harder for oxygen to reach the blood.', 'Most people improve within a few days of starting antibiotics, although the cough can last for weeks.'],
    advice: ['rest and drink plenty of fluids', 'finish the full course of antibiotics', 'use acetaminophen for fever', 'avoid smoking while the lungs heal'],
  },
  {
    name: 'heart failure exacerbation', lay: 'fluid building up because the heart is weak',
    symptoms: ['shortness of breath on exertion', 'orthopnea', 'leg swelling', 'weight gain of three kilograms', 'waking up breathless at night'],
    findings: ['bibasilar crackles', 'jugular venous distension', 'pitting edema to the knees', 'an S3 gallop'],
    tests: ['a BNP level', 'an echocardiogram', 'a basic metabolic panel', 'a chest radiograph'],
    treatments: ['intravenous furosemide', 'a low-sodium diet', 'daily weights', 'titration of the beta blocker'],
    warnings: ['weight gain of more than one kilogram in a day', 'breathlessness at rest', 'chest pain', 'fainting'],
    explanation: ['Heart failure means the heart does not pump as strongly as the body needs.', 'Fluid backs up into the lungs and the legs.', 'Medicines, salt restriction and daily weights help keep the fluid under control.'],
    advice: ['weigh yourself every morning', 'limit salt', 'take the water pill as prescribed', 'keep a list of your medicines with you'],
  },
  {
    name: 'chronic obstructive pulmonary disease exacerbation', lay: 'a flare of the lung disease',
    symptoms: ['increased sputum', 'wheezing', 'breathlessness', 'chest tightness'],
    findings: ['diffuse expiratory wheezes', 'prolonged expiration', 'use of accessory muscles', 'oxygen saturation of 89%'],
    tests: ['an arterial blood gas', 'a chest radiograph', 'a sputum culture'],
    treatments: ['nebulized albuterol and ipratropium', 'a five-day course of prednisone', 'an antibiotic for purulent sputum', 'controlled oxygen'],
    warnings: ['drowsiness', 'inability to speak in full sentences', 'chest pain'],
    explanation: ['COPD is a long-term lung condition that narrows the airways.', 'Flares are often triggered by infections or air pollution.', 'Inhalers open the airways and steroids calm the inflammation.'],
    advice: ['use the inhaler with a spacer', 'stop smoking', 'get the yearly influenza vaccine', 'keep the rescue inhaler nearby'],
  },
  {
    name: 'asthma', lay: 'an asthma attack',
    symptoms: ['wheezing', 'nighttime cough', 'chest tightness', 'breathlessness with exercise'],
    findings: ['scattered wheezes', 'a peak flow of 60% of predicted', 'mild tachypnea'],
    tests: ['spirometry', 'a peak flow measurement'],
    treatments: ['inhaled albuterol as needed', 'an inhaled corticosteroid', 'a short course of oral steroids'],
    warnings: ['needing the rescue inhaler every hour', 'trouble speaking', 'blue lips'],
    explanation: ['Asthma causes the airways to swell and tighten.', 'Triggers include colds, pollen, smoke and cold air.', 'A daily controller inhaler reduces swelling over time.'],
    advice: ['rinse the mouth after the steroid inhaler', 'avoid known triggers', 'follow the written asthma action plan'],
  },
  {
    name: 'type 2 diabetes', lay: 'high blood sugar',
    symptoms: ['increased thirst', 'frequent urination', 'blurred vision', 'tiredness'],
    findings: ['a hemoglobin A1c of 8.4%', 'reduced monofilament sensation in both feet', 'a body mass index of 33'],
    tests: ['a hemoglobin A1c', 'a urine albumin to creatinine ratio', 'a lipid panel', 'a dilated eye examination'],
    treatments: ['metformin', 'an SGLT2 inhibitor', 'a GLP-1 receptor agonist', 'basal insulin'],
    warnings: ['blood sugar below 70 with shakiness', 'blood sugar above 300', 'vomiting and unable to keep fluids down'],
    explanation: ['In type 2 diabetes the body does not respond well to insulin.', 'Over time high sugar can damage the eyes, kidneys, nerves and blood vessels.', 'Diet, activity and medicines bring the sugar down.'],
    advice: ['check your feet every day', 'take metformin with meals', 'walk for thirty minutes most days', 'keep glucose tablets with you'],
  },
  {
    name: 'hypertension', lay: 'high blood pressure',
    symptoms: ['no symptoms', 'occasional headaches'],
    findings: ['a blood pressure of 158/96', 'a blood pressure of 148/92 on repeat', 'no retinal changes'],
    tests: ['home blood pressure monitoring', 'a basic metabolic panel', 'an electrocardiogram'],
    treatments: ['lisinopril', 'amlodipine', 'chlorthalidone', 'reducing salt intake'],
    warnings: ['a severe headache with confusion', 'chest pain', 'weakness on one side of the body'],
    explanation: ['High blood pressure usually causes no symptoms.', 'Untreated, it raises the risk of stroke, heart attack and kidney disease.', 'Lowering the pressure even a little reduces that risk.'],
    advice: ['measure your blood pressure at home twice a day for a week', 'limit salt and alcohol', 'take the medicine at the same time every day'],
  },
  {
    name: 'cellulitis', lay: 'a skin infection',
    symptoms: ['a red, warm, swollen area on the leg', 'pain in the skin', 'low-grade fever'],
    findings: ['erythema with indistinct borders', 'warmth and tenderness', 'no fluctuance'],
    tests: ['a marking of the border of redness', 'a complete blood count'],
    treatments: ['cephalexin', 'elevation of the limb', 'clindamycin for penicillin allergy'],
    warnings: ['redness spreading quickly', 'high fever', 'severe pain out of proportion to the skin'],
    explanation: ['Cellulitis is a bacterial infection of the deeper layers of the skin.', 'It often starts at a small cut or crack in the skin.', 'Antibiotics usually work within two to three days.'],
    advice: ['keep the leg raised', 'draw a line around the redness to watch it', 'keep the skin moisturized to prevent cracks'],
  },
  {
    name: 'acute gastroenteritis', lay: 'a stomach bug',
    symptoms: ['watery diarrhea', 'nausea', 'vomiting', 'crampy abdominal pain'],
    findings: ['dry mucous membranes', 'hyperactive bowel sounds', 'a soft, nontender abdomen'],
    tests: ['a basic metabolic panel', 'stool studies if symptoms persist'],
    treatments: ['oral rehydration solution', 'ondansetron', 'intravenous fluids'],
    warnings: ['blood in the stool', 'no urine for eight hours', 'dizziness when standing'],
    explanation: ['Gastroenteritis is usually caused by a virus.', 'The main danger is losing too much fluid.', 'Most cases settle within two to three days.'],
    advice: ['take small frequent sips of fluid', 'wash hands carefully', 'return to a normal diet as tolerated'],
  },
  {
    name: 'migraine', lay: 'a bad headache',
    symptoms: ['throbbing one-sided headache', 'sensitivity to light', 'nausea', 'visual aura'],
    findings: ['a normal neurological examination', 'no neck stiffness'],
    tests: ['a headache diary'],
    treatments: ['sumatriptan', 'ibuprofen with an antiemetic', 'propranolol for prevention'],
    warnings: ['the worst headache of your life', 'headache with fever and stiff neck', 'new weakness or trouble speaking'],
    explanation: ['Migraine is a common brain condition that causes recurring headaches.', 'Attacks can be triggered by poor sleep, skipped meals or stress.', 'Treating early in an attack works best.'],
    advice: ['keep a regular sleep schedule', 'limit pain relievers to a few days a week', 'rest in a dark quiet room'],
  },
  {
    name: 'deep vein thrombosis', lay: 'a blood clot in the leg',
    symptoms: ['calf swelling', 'calf pain', 'warmth of the leg'],
    findings: ['a calf circumference 3 cm larger on the left', 'tenderness along the deep veins'],
    tests: ['a compression ultrasound', 'a D-dimer'],
    treatments: ['apixaban', 'rivaroxaban', 'low molecular weight heparin'],
    warnings: ['sudden shortness of breath', 'chest pain when breathing in', 'coughing up blood'],
    explanation: ['A deep vein thrombosis is a clot in a deep vein, usually in the leg.', 'The danger is that part of the clot travels to the lungs.', 'Blood thinners stop the clot from growing while the body breaks it down.'],
    advice: ['take the blood thinner at the same times each day', 'report any unusual bleeding', 'walk regularly on long trips'],
  },
  {
    name: 'kidney stone', lay: 'a kidney stone',
    symptoms: ['severe flank pain radiating to the groin', 'blood in the urine', 'nausea'],
    findings: ['costovertebral angle tenderness', 'a patient unable to lie still'],
    tests: ['a noncontrast CT scan', 'a urinalysis', 'a serum creatinine'],
    treatments: ['ketorolac', 'tamsulosin', 'straining the urine'],
    warnings: ['fever with the pain', 'unable to keep fluids down', 'no urine output'],
    explanation: ['Kidney stones form when minerals in the urine crystallize.', 'Most small stones pass on their own within a few weeks.', 'Drinking more water helps prevent new stones.'],
    advice: ['drink enough water to make pale urine', 'strain the urine to catch the stone', 'take the pain medicine as directed'],
  },
  {
    name: 'iron deficiency anemia', lay: 'low iron',
    symptoms: ['fatigue', 'pale skin', 'shortness of breath on stairs', 'craving ice'],
    findings: ['conjunctival pallor', 'a hemoglobin of 9.8', 'a low ferritin'],
    tests: ['a complete blood count', 'iron studies', 'a colonoscopy when indicated'],
    treatments: ['oral ferrous sulfate every other day', 'intravenous iron'],
    warnings: ['black or bloody stools', 'chest pain', 'fainting'],
    explanation: ['Anemia means there are too few red blood cells to carry oxygen.', 'Iron deficiency is the most common cause.', 'It is important to find out why the iron is low.'],
    advice: ['take iron with vitamin C and away from tea', 'expect dark stools on iron', 'eat iron-rich foods such as beans and leafy greens'],
  },
  {
    name: 'hypothyroidism', lay: 'an underactive thyroid',
    symptoms: ['fatigue', 'weight gain', 'feeling cold', 'constipation', 'dry skin'],
    findings: ['a TSH of 9.2', 'delayed relaxation of reflexes'],
    tests: ['a TSH level', 'a free T4 level'],
    treatments: ['levothyroxine'],
    warnings: ['severe drowsiness', 'very slow heart rate'],
    explanation: ['The thyroid gland controls how fast the body uses energy.', 'When it is underactive, many body functions slow down.', 'A daily tablet replaces the missing hormone.'],
    advice: ['take levothyroxine on an empty stomach', 'recheck the TSH in six weeks', 'separate it from calcium and iron'],
  },
  {
    name: 'major depressive disorder', lay: 'depression',
    symptoms: ['low mood', 'loss of interest', 'poor sleep', 'poor concentration', 'low energy'],
    findings: ['a PHQ-9 score of 16', 'a flat affect', 'no psychotic features'],
    tests: ['a PHQ-9 questionnaire', 'a TSH level'],
    treatments: ['sertraline', 'cognitive behavioral therapy', 'escitalopram'],
    warnings: ['thoughts of self-harm', 'not eating or drinking', 'hearing voices'],
    explanation: ['Depression is a common and treatable illness.', 'It affects mood, sleep, appetite and energy.', 'Medicines and talking therapy both help, and together they work best.'],
    advice: ['keep a daily routine', 'give the medicine four to six weeks to work', 'reach out to someone you trust'],
  },
  {
    name: 'low back pain', lay: 'back pain',
    symptoms: ['lower back pain after lifting', 'stiffness in the morning', 'pain worse with bending'],
    findings: ['paraspinal muscle tenderness', 'a negative straight leg raise', 'normal strength and reflexes'],
    tests: ['no imaging unless red flags appear'],
    treatments: ['ibuprofen', 'heat', 'physical therapy', 'staying active'],
    warnings: ['numbness in the groin', 'loss of bladder control', 'leg weakness', 'fever with back pain'],
    explanation: ['Most back pain comes from strained muscles and ligaments.', 'It usually improves within a few weeks.', 'Staying active helps more than bed rest.'],
    advice: ['keep moving gently', 'use heat for muscle spasm', 'lift with the legs, not the back'],
  },
  {
    name: 'acute otitis media', lay: 'an ear infection',
    symptoms: ['ear pain', 'fever', 'trouble sleeping', 'tugging at the ear'],
    findings: ['a bulging, red tympanic membrane', 'reduced mobility of the eardrum'],
    tests: ['otoscopy'],
    treatments: ['amoxicillin', 'watchful waiting for mild cases', 'ibuprofen for pain'],
    warnings: ['swelling behind the ear', 'stiff neck', 'fever above 39 degrees for two days'],
    explanation: ['An ear infection happens when fluid behind the eardrum becomes infected.', 'Many mild infections clear without antibiotics.', 'Pain relief is the most important part of treatment.'],
    advice: ['give pain medicine regularly for the first day', 'return if fever persists', 'avoid smoke exposure'],
  },
  {
    name: 'streptococcal pharyngitis', lay: 'strep throat',
    symptoms: ['sore throat', 'fever', 'painful swallowing', 'swollen neck glands'],
    findings: ['tonsillar exudates', 'tender anterior cervical nodes', 'absence of cough'],
    tests: ['a rapid strep test', 'a throat culture'],
    treatments: ['penicillin V', 'amoxicillin', 'azithromycin for allergy'],
    warnings: ['drooling', 'trouble opening the mouth', 'muffled voice'],
    explanation: ['Strep throat is a bacterial infection of the throat.', 'Antibiotics shorten the illness and prevent complications.', 'You stop being contagious about a day after starting antibiotics.'],
    advice: ['replace your toothbrush', 'finish all the antibiotic', 'drink cool fluids'],
  },
  {
    name: 'atrial fibrillation', lay: 'an irregular heartbeat',
    symptoms: ['palpitations', 'lightheadedness', 'fatigue', 'reduced exercise tolerance'],
    findings: ['an irregularly irregular pulse', 'a heart rate of 118', 'no murmur'],
    tests: ['an electrocardiogram', 'an echocardiogram', 'a TSH level'],
    treatments: ['metoprolol for rate control', 'apixaban for stroke prevention', 'cardioversion'],
    warnings: ['fainting', 'chest pain', 'sudden weakness or trouble speaking'],
    explanation: ['Atrial fibrillation is an irregular rhythm of the upper chambers of the heart.', 'It raises the risk of stroke because clots can form in the heart.', 'Treatment controls the rate and prevents clots.'],
    advice: ['do not miss doses of the blood thinner', 'limit alcohol', 'check your pulse if you feel unwell'],
  },
  {
    name: 'gout', lay: 'a gout attack',
    symptoms: ['sudden severe pain in the big toe', 'swelling of the joint', 'redness over the joint'],
    findings: ['a hot, swollen first metatarsophalangeal joint', 'a uric acid of 8.9'],
    tests: ['joint aspiration', 'a serum uric acid'],
    treatments: ['colchicine', 'naproxen', 'allopurinol for prevention'],
    warnings: ['fever with a hot joint', 'several joints at once'],
    explanation: ['Gout happens when uric acid crystals form in a joint.', 'Attacks come on quickly, often overnight.', 'Long-term medicine lowers uric acid and prevents attacks.'],
    advice: ['drink plenty of water', 'limit beer and red meat', 'start treatment at the first sign of an attack'],
  },
  {
    name: 'osteoarthritis of the knee', lay: 'wear and tear in the knee',
    symptoms: ['knee pain with walking', 'stiffness after rest', 'creaking of the joint'],
    findings: ['crepitus', 'bony enlargement', 'a small effusion'],
    tests: ['a weight-bearing knee radiograph'],
    treatments: ['exercise therapy', 'topical diclofenac', 'weight loss', 'a corticosteroid injection'],
    warnings: ['a hot, red, very swollen knee', 'inability to bear weight'],
    explanation: ['Osteoarthritis is the gradual wearing of the cartilage that cushions the joint.', 'Strengthening the muscles around the knee reduces pain.', 'Pain often comes and goes over months.'],
    advice: ['keep active with low-impact exercise', 'use a cane in the opposite hand', 'apply the gel up to four times a day'],
  },
];

export const AGES = [19, 23, 27, 31, 34, 38, 42, 45, 49, 52, 56, 58, 61, 64, 67, 70, 73, 76, 79, 82, 85];
export const PEOPLE = ['woman', 'man', 'patient'];
export const HISTORY = [
  'hypertension', 'type 2 diabetes', 'hyperlipidemia', 'chronic kidney disease stage 3', 'asthma', 'COPD',
  'coronary artery disease', 'osteoarthritis', 'hypothyroidism', 'depression', 'atrial fibrillation', 'no significant past history',
];
export const DURATIONS = ['since yesterday', 'for two days', 'for three days', 'for about a week', 'for several hours', 'for two weeks', 'since this morning'];
export const CLINICIANS = ['the nurse', 'the physician', 'the nurse practitioner', 'the pharmacist', 'the care team', 'the physician assistant'];
export const SETTINGS = ['the clinic', 'the emergency department', 'the medical ward', 'the urgent care center', 'a telehealth visit'];
export const VITALS = {
  temp: ['36.6', '36.9', '37.4', '37.8', '38.2', '38.6', '39.1'],
  hr: ['68', '76', '84', '92', '104', '112', '121'],
  bp: ['118/72', '126/80', '134/84', '142/88', '152/94', '104/66', '96/58'],
  rr: ['14', '16', '18', '20', '22', '26'],
  spo2: ['99%', '98%', '96%', '94%', '92%', '90%'],
};
export const CONNECTIVES = ['In addition,', 'Also,', 'Of note,', 'Importantly,', 'Overall,', 'At this point,'];
